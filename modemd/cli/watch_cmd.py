"""`modemd watch`: the event outbox as it grows, one line per event.

It follows the events as api/follow.py does for every front end: on a database this
user may write, the events themselves, read again when a writer nudges; else the
daemon's event stream (the same event objects, so the same lines), reconnected after
the last event printed when the daemon goes away, so a restart loses and repeats
nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from types import FrameType

import click

from modemd import config as configuration
from modemd.api.follow import follow
from modemd.api.reach import reach
from modemd.cli.common import json_option, store_options
from modemd.store import EventKind, InboundStatus, OutboundStatus

AWAY = "Warning: the daemon's API went away; reconnecting"


@click.command()
@click.option("--after", "after", type=click.IntRange(min=0), default=None,
              metavar="EVENT_ID", help="Start after this event (replaying what followed it), "
              "e.g. the last event_id a previous watch printed [default: only new events].")
@json_option
@store_options
def watch(after: int | None, as_json: bool, config_path: str | None, db: str | None) -> None:
    """Follow events until Ctrl-C: inbound messages, status changes, line states,
    opt-outs.

    One line per event as it is committed: local time, kind, what happened. --json
    prints one event object per line (event_id, event, at, message, line, peer; an
    opt-out's opted_out). Works while the daemon is stopped: its events show once
    it runs. Without write access to the database it follows the daemon's API
    socket, resuming after the last event once the daemon is back. Ctrl-C or SIGTERM
    ends it (exit 0).
    """
    config = configuration.load(config_path, db=db)
    show = _print_json if as_json else _print_human
    with _stopped_by_signals(), reach(config, create=True) as desk:
        for event in follow(desk, after, away=_away):
            show(event)


def _away(why: str | None) -> None:
    """Said once per outage, not per retry."""
    if why is not None:
        click.echo(AWAY, err=True)


@contextlib.contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """Ctrl-C and SIGTERM end the watch quietly (exit 0); so does a reader that went
    away (`modemd watch | head`)."""
    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:  # the interpreter's last flush must not complain either
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_json(event: dict) -> None:
    _emit(json.dumps(event))


def _print_human(event: dict) -> None:
    kind = event.get("event") or "?"
    describe = _DESCRIBE.get(kind, _other)
    _emit(f"{_local(event.get('at'), '%H:%M:%S')}  {kind:<8} {describe(event)}")


def _emit(text: str) -> None:
    click.echo(text)
    sys.stdout.flush()  # a pipe sees each event at once


def _local(at: str | None, form: str) -> str:
    if not at:
        return "--:--:--"
    return datetime.fromisoformat(at).astimezone().strftime(form)


def _who(message: dict | None, peer: str | None) -> str:
    number = (message or {}).get("peer") or peer or "?"
    contact = (message or {}).get("contact")
    return f"{number} ({contact})" if contact else number


def _inbound(event: dict) -> str:
    message = event.get("message") or {}
    text = (message.get("text") or "").replace("\n", " ")
    where = f" on {message['line']}" if message.get("line") else ""
    said = f"{_who(message, event.get('peer'))}{where}: {text}"
    if message.get("status") == InboundStatus.INCOMPLETE:
        said += f" (incomplete, {message.get('parts_received')} of {message.get('parts')} parts)"
    return said


def _status(event: dict) -> str:
    message = event.get("message") or {}
    status = message.get("status") or "?"
    if status == OutboundStatus.SCHEDULED and message.get("scheduled_for"):
        status += f" for {_local(message['scheduled_for'], '%Y-%m-%d %H:%M')}"
    elif message.get("error"):
        status += f" ({message['error']})"
    return f"#{message.get('id')} to {_who(message, event.get('peer'))}: {status}"


def _line(event: dict) -> str:
    line = event.get("line") or {}
    names = [str(n) for n in (line.get("name"), line.get("own_number")) if n]
    state = line.get("state") or "?"
    reason = f" ({line['reason']})" if line.get("reason") else ""
    return f"{' '.join(names) or 'line ' + str(line.get('id'))}: {state}{reason}"


def _optout(event: dict) -> str:
    message = event.get("message")
    opted_out = bool(event.get("opted_out"))
    if message is not None and message.get("keyword"):
        how = str(message["keyword"]).upper()
    else:
        how = "recorded by an agent" if opted_out else "lifted by an agent"
    return f"{_who(message, event.get('peer'))}: {'opted out' if opted_out else 'opted in'} " \
           f"({how})"


def _other(event: dict) -> str:  # a kind newer than this command
    return str(event.get("peer") or "")


_DESCRIBE: dict[str, Callable[[dict], str]] = {
    EventKind.INBOUND: _inbound, EventKind.STATUS: _status, EventKind.LINE: _line,
    EventKind.OPTOUT: _optout}
