"""Person-to-person pace (`[pace]`): how fast one agent may send, and how many first
texts to new contacts an agent (per hour) and a line (per day) may start. Replies and
texts to anyone with history are never capped by the new-contact limits.

check() runs inside the write transaction that queues the message, so two agents
racing for the last slot under a cap cannot both get it: the second one's count
already holds the first one's message.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from modemd.config import Pace
from modemd.errors import InvalidInputError
from modemd.store import pacing
from modemd.store.db import iso, utc_now

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
NOT_LIMITED = "replies to existing conversations are not limited; nothing queued"


@dataclass(frozen=True)
class Cleared:
    """What the queue needs from a send the pace rules let through."""

    new_contact: bool  # the first text either way with this peer
    line_id: int | None = None  # the line a new contact's first text is pinned to now


@dataclass(frozen=True)
class _Line:
    id: int
    label: str
    healthy: bool
    firsts: list[datetime]  # its first texts in the last day, oldest first


def check(conn: sqlite3.Connection, peer: str, operator: str, *, requested: int | None,
          rules: Pace, now: datetime | None = None) -> Cleared:
    """Raise InvalidInputError, saying which limit and when it lifts, if this send would
    break one; else whether it starts a new contact and the line to pin it to (a new
    contact without a requested line; None: let the queue choose)."""
    now = now or utc_now()
    new = pacing.is_new_contact(conn, peer)
    if not rules.enabled:
        return Cleared(new)
    _agent_interval(conn, operator, rules, now)
    if not new:
        return Cleared(False)
    _agent_hour(conn, operator, rules, now)
    lines = _lines(conn, now)
    if requested is not None:
        _line_day({line.id: line for line in lines}[requested], rules, now)
        return Cleared(True)
    return Cleared(True, _pinned(conn, lines, rules, now))


def _agent_interval(conn: sqlite3.Connection, operator: str, rules: Pace,
                    now: datetime) -> None:
    last = pacing.last_sent_at(conn, operator)
    if last is None:
        return
    wait = min(_parse(last) + timedelta(seconds=rules.per_agent_seconds) - now,
               timedelta(seconds=rules.per_agent_seconds))  # a clock set back waits no more
    if wait > timedelta(0):
        raise InvalidInputError(
            f"pace: at most one send per {rules.per_agent_seconds:g} s per agent "
            f"(per_agent_seconds); {operator} may send again in "
            f"{max(wait.total_seconds(), 0.1):.1f} s; nothing queued")


def _agent_hour(conn: sqlite3.Connection, operator: str, rules: Pace, now: datetime) -> None:
    firsts = [_parse(at) for at in pacing.first_texts_by(conn, operator, iso(now - HOUR))]
    cap = rules.new_contacts_per_agent_hour
    if len(firsts) >= cap:
        raise InvalidInputError(
            f"pace: {operator} has texted {len(firsts)} new contacts in the last hour, the "
            f"limit (new_contacts_per_agent_hour = {cap}); the next may go "
            f"{_when(_frees(firsts, cap, HOUR), now)}; {NOT_LIMITED}")


def _line_day(line: _Line, rules: Pace, now: datetime) -> None:
    cap = rules.new_contacts_per_line_day
    if len(line.firsts) >= cap:
        raise InvalidInputError(
            f"pace: line {line.label} has texted {len(line.firsts)} new contacts in the last "
            f"24 h, its limit (new_contacts_per_line_day = {cap}); it may text another "
            f"{_when(_frees(line.firsts, cap, DAY), now)}, or send without --line to use "
            f"another line; {NOT_LIMITED}")


def _pinned(conn: sqlite3.Connection, lines: list[_Line], rules: Pace,
            now: datetime) -> int | None:
    """The least busy healthy line under its cap. None when no line is known yet (the
    daemon never ran) or none is healthy but some is under its cap (the queue waits for
    a line anyway). Refused when every line that could take it is at its cap."""
    cap = rules.new_contacts_per_line_day
    healthy = [line for line in lines if line.healthy]
    candidates = healthy or lines
    under = [line for line in candidates if len(line.firsts) < cap]
    if candidates and not under:
        frees = min(_frees(line.firsts, cap, DAY) for line in candidates)
        raise InvalidInputError(
            f"pace: every line{' that is up' if 0 < len(healthy) < len(lines) else ''} has "
            f"texted {cap} new contacts in the last 24 h (new_contacts_per_line_day = {cap}); "
            f"the first may text another {_when(frees, now)}; {NOT_LIMITED}")
    if not healthy:
        return None
    load = pacing.queue_load(conn)
    return min(under, key=lambda line: (load.get(line.id, 0), len(line.firsts), line.id)).id


def _lines(conn: sqlite3.Connection, now: datetime) -> list[_Line]:
    """Every known line with its first texts of the last day (one pass over them)."""
    firsts = pacing.first_texts_by_line(conn, str(iso(now - DAY)))
    return [_Line(line_id, label, healthy, [_parse(at) for at in firsts.get(line_id, [])])
            for line_id, label, healthy in pacing.known_lines(conn)]


def _frees(firsts: list[datetime], cap: int, window: timedelta) -> datetime:
    """When enough of these leave the window for one more to fit under cap."""
    return firsts[len(firsts) - cap] + window


def _when(moment: datetime, now: datetime) -> str:
    """Local time of day and how long from now: "at 14:05 (in 12 min)"."""
    local, today = moment.astimezone(), now.astimezone()
    day = "" if local.date() == today.date() else " tomorrow"
    seconds = max(math.ceil((moment - now).total_seconds()), 1)
    if seconds < 60:
        relative = f"{seconds} s"
    else:
        hours, minutes = divmod(math.ceil(seconds / 60), 60)
        relative = " ".join([f"{hours} h"] * bool(hours) + [f"{minutes} min"] * bool(minutes))
    return f"at {local:%H:%M}{day} (in {relative})"


def _parse(stored: str) -> datetime:
    return datetime.fromisoformat(stored)
