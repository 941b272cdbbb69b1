"""The configuration's tables: [pace], [[webhook]] and [[hook]], and the key and type
checks every part of the configuration shares."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modemd.errors import InvalidInputError

NUMBER = (int, float)
PACE_KEYS = {"enabled": bool, "per_agent_seconds": NUMBER,
             "new_contacts_per_agent_hour": int, "new_contacts_per_line_day": int}
WEBHOOK_KEYS = {"url": str, "events": list, "secret": str}
HOOK_KEYS = {"command": list, "events": list, "timeout_seconds": NUMBER}


@dataclass(frozen=True)
class Pace:
    """Person-to-person guardrails (`[pace]`): how fast one agent may send, and how many
    first texts to new contacts an agent and a line may start. Off only in labs."""

    enabled: bool = True
    per_agent_seconds: float = 1.0
    new_contacts_per_agent_hour: int = 30
    new_contacts_per_line_day: int = 200


@dataclass(frozen=True)
class Webhook:
    """[[webhook]]: each event of these kinds POSTed to url (signed when secret is set)."""

    url: str
    events: tuple[str, ...]
    secret: str | None = None

    @property
    def target(self) -> str:
        """Its name in the deliveries table: the url."""
        return self.url


@dataclass(frozen=True)
class Hook:
    """[[hook]]: command run with each event of these kinds as JSON on its stdin."""

    command: tuple[str, ...]
    events: tuple[str, ...]
    timeout_seconds: float = 10.0

    @property
    def target(self) -> str:
        """Its name in the deliveries table: the command as a JSON list."""
        import json  # noqa: PLC0415  (only the deliverer asks)

        return json.dumps(list(self.command))


def pace(table: dict, path: Path | None) -> Pace:
    check_keys(table, PACE_KEYS, f"{path}: [pace]")
    pace = Pace(**table)
    if pace.per_agent_seconds < 0:
        raise InvalidInputError(f"{path}: [pace] per_agent_seconds = {pace.per_agent_seconds} "
                                "cannot be negative (0 lets an agent send back to back)")
    for key in ("new_contacts_per_agent_hour", "new_contacts_per_line_day"):
        if getattr(pace, key) < 1:
            raise InvalidInputError(f"{path}: [pace] {key} = {getattr(pace, key)} must be "
                                    "1 or more; to lift every limit (labs only) set "
                                    "enabled = false")
    return pace


def check_keys(data: dict, known: dict[str, type | tuple], where: str) -> None:
    for key, value in data.items():
        if key not in known:
            import difflib  # noqa: PLC0415  (only a mistake needs it)

            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {sorted(known)}"
            raise InvalidInputError(f"{where}: unknown setting {key!r}; {hint}")
        kind = known[key]
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise InvalidInputError(f"{where}: {key} = {value!r} has the wrong type: "
                                    f"expected {_kind_name(kind)}")


def _kind_name(kind: type | tuple) -> str:
    names = {str: "a string", int: "a whole number", bool: "true or false",
             list: "a list", dict: "a table", NUMBER: "a number"}
    return names.get(kind, str(kind))  # type: ignore[call-overload]


def webhook(entry: object, path: Path | None) -> Webhook:
    where = f"{path}: [[webhook]]"
    entry = _table(entry, where, "url")
    check_keys(entry, WEBHOOK_KEYS, where)
    url = entry.get("url", "")
    if not url.startswith(("http://", "https://")) or len(url) < 10:
        raise InvalidInputError(f"{where}: url = {url!r} is not an http(s) URL: write e.g. "
                                "url = \"https://example.org/modemd\"")
    return Webhook(url=url, events=_events(entry, where), secret=entry.get("secret") or None)


def hook(entry: object, path: Path | None) -> Hook:
    where = f"{path}: [[hook]]"
    entry = _table(entry, where, "command")
    check_keys(entry, HOOK_KEYS, where)
    command = entry.get("command", [])
    if not command or not all(isinstance(word, str) and word for word in command):
        raise InvalidInputError(f"{where}: command = {command!r} must be a non-empty list of "
                                "strings, the program first: command = [\"/usr/local/bin/on-sms\"]")
    timeout = entry.get("timeout_seconds", 10.0)
    if timeout <= 0:
        raise InvalidInputError(f"{where}: timeout_seconds = {timeout} must be more than 0")
    return Hook(command=tuple(command), events=_events(entry, where), timeout_seconds=timeout)


def _table(entry: object, where: str, needed: str) -> dict:
    if not isinstance(entry, dict) or needed not in entry:
        raise InvalidInputError(f"{where}: each one needs {needed} = ... (write it as a "
                                f"[[{where.rsplit('[[', 1)[-1]} table)")
    return entry


def _events(entry: dict, where: str) -> tuple[str, ...]:
    """The kinds asked for (every kind when events is not given)."""
    from modemd.store.states import EventKind  # noqa: PLC0415  (only with targets)

    kinds = entry.get("events", list(EventKind))
    unknown = [kind for kind in kinds if kind not in set(EventKind)]
    if not kinds or unknown:
        raise InvalidInputError(f"{where}: events = {kinds!r}: "
                                f"{'unknown ' + repr(unknown) if unknown else 'empty'}; "
                                f"choose from {[kind.value for kind in EventKind]}")
    return tuple(EventKind(kind).value for kind in kinds)
