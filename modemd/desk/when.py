"""When a scheduled message (`send --at WHEN`) should go: the agent's words read as one
moment in UTC, or refused saying why.

An ISO 8601 time with Z or an offset means exactly that moment. Without an offset
(`2026-12-24T09:00`, or the plain `2026-12-24 09:00`), it is the agent's wall clock:
the time zone of the computer the command runs on, with its daylight saving rules on
that date.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from modemd.errors import InvalidInputError

PAST_GRACE = timedelta(seconds=10)  # "now" typed a moment ago is not a mistake
HORIZON = timedelta(days=365)  # further ahead is a typo in the year, not a plan
FORMS = ('an ISO 8601 time with Z or an offset ("2026-12-24T09:00:00Z", '
         '"2026-12-24T09:00+01:00"), or a local time "YYYY-MM-DD HH:MM" ("2026-12-24 09:00")')


def parse(text: str, now: datetime | None = None, *, zone: tzinfo | None = None) -> datetime:
    """The moment `text` names, as an aware UTC datetime; InvalidInputError when it cannot
    be read, is in the past, or is more than a year ahead. zone: the time zone of a time
    without offset (default: this computer's)."""
    return checked(_read(text.strip(), zone), now)


def checked(moment: datetime, now: datetime | None = None) -> datetime:
    """moment in UTC, once it is still to come and within a year; a naive one is local."""
    moment = _local(moment, None) if moment.tzinfo is None else moment.astimezone(UTC)
    now = now or datetime.now(UTC)
    shown = f"{moment:%Y-%m-%d %H:%M:%S} UTC{_as_local(moment)}"
    if moment < now - PAST_GRACE:
        raise InvalidInputError(
            f"{shown} is {_span(now - moment)} ago: a scheduled message needs a time still "
            "to come; check the date and time, or send without --at to send it now")
    if moment > now + HORIZON:
        raise InvalidInputError(
            f"{shown} is more than a year ahead: modemd schedules at most "
            f"{HORIZON.days} days ahead; check the year")
    return moment


def local_zone_name() -> str:
    """This computer's time zone as people read it ("CET", "UTC+05:30")."""
    return datetime.now().astimezone().tzname() or "local time"


def _read(text: str, zone: tzinfo | None) -> datetime:
    try:
        moment = datetime.fromisoformat(text.upper())  # RFC 3339 allows t and z too
    except ValueError:
        moment = None
    if moment is None or not _has_time(text):
        raise InvalidInputError(
            f"cannot read {text!r} as a time: give {FORMS}; a time without offset is in "
            f"this computer's time zone ({local_zone_name()})")
    return _local(moment, zone) if moment.tzinfo is None else moment.astimezone(UTC)


def _has_time(text: str) -> bool:
    """A date alone would mean midnight, which nobody means by it: the time is required."""
    return "T" in text.upper() or " " in text


def _local(moment: datetime, zone: tzinfo | None) -> datetime:
    """A wall-clock time in zone; without one, in the system's (astimezone() on a naive
    datetime applies the system's rules for that date, daylight saving included)."""
    aware = moment.astimezone() if zone is None else moment.replace(tzinfo=zone)
    return aware.astimezone(UTC)


def _as_local(moment: datetime) -> str:
    """ " (the same moment on this computer's clock)", where that is not UTC."""
    local = moment.astimezone()
    if not local.utcoffset():
        return ""
    return f" ({local:%Y-%m-%d %H:%M:%S} {local.tzname() or 'local time'})"


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"
