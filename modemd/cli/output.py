"""Printing: JSON for scripts, aligned tables for people.

Tables show times as people read them: in this computer's time zone (TZ respected),
and relative while that is the shorter way to say it. JSON keeps the stored ISO 8601
UTC text. A time column is one whose name ends in `_at`, or is `at` (the audit's),
`since` or `scheduled_for`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import click

from modemd.desk.liveness import duration as elapsed  # `status` says "heartbeat 2 min ago" alike

TIME_COLUMNS = frozenset({"at", "since", "scheduled_for"})  # and every *_at
JUST_NOW_SECONDS = 45
HOURS_AGO_ACROSS_MIDNIGHT = 6  # "3 h ago" at 01:00 says more than "yesterday 22:00"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # not the locale's: one CLI
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
           "Dec")


def emit_json(value: Any) -> None:
    import json  # noqa: PLC0415  (only --json needs it)

    click.echo(json.dumps(value, indent=None, default=str))


def table(rows: Sequence[dict], columns: Sequence[str], now: datetime | None = None) -> None:
    """Columns in order; missing values print as '-'; time columns as when() says."""
    now = now or datetime.now(UTC)
    cells = [[_cell(row.get(c), c, now) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def field(name: str, value: Any, now: datetime | None = None) -> str:
    """One value of a detail view (`modemd show`): a time relative and local, with the
    exact local time beside it; anything else as a table cell shows it."""
    if value is not None and is_time_column(name):
        moment = parse_time(value)
        if moment is not None:
            exact = moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
            return f"{when(moment, now)} ({exact})"
    return _cell(value, name, now or datetime.now(UTC))


def is_time_column(name: str) -> bool:
    return name.endswith("_at") or name in TIME_COLUMNS


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 text with a zone (Z or an offset) as a moment; None for anything else."""
    if not isinstance(value, str) or len(value) < 16 or value[4:5] != "-":
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None  # whose 09:00? left as it is


def when(moment: datetime, now: datetime | None = None) -> str:
    """A moment in local time, as short as it can be said: "just now", "2 min ago",
    "3 h ago" (today, or within 6 hours), "yesterday 14:05", "Mon 14:05" (within a
    week), "Dec 3 14:05" (this year), "2025-12-03 14:05"; ahead: "in 5 min" (within an
    hour), "at 14:05" (today), "tomorrow 09:00", then as above."""
    now = now or datetime.now(UTC)
    seconds = (now - moment).total_seconds()
    local, today = moment.astimezone(), now.astimezone().date()
    days = (today - local.date()).days  # calendar days in the local zone, not 24 h
    if -1 < seconds < JUST_NOW_SECONDS:
        return "just now"
    if seconds > 0 and (days == 0 or seconds < HOURS_AGO_ACROSS_MIDNIGHT * 3600):
        return f"{elapsed(max(60.0, seconds))} ago"  # 45 s on: "1 min ago"
    if -3600 < seconds < 0:
        return f"in {math.ceil(-seconds / 60)} min"
    return _clock(local, days, this_year=local.year == today.year)


def _clock(local: datetime, days: int, *, this_year: bool) -> str:
    """The local wall clock with as much of the date as it needs; days: how many
    calendar days before today (negative: ahead)."""
    clock = f"{local:%H:%M}"
    named = {0: f"at {clock}", 1: f"yesterday {clock}", -1: f"tomorrow {clock}"}
    if days in named:
        return named[days]
    if abs(days) < 7:
        return f"{_DAYS[local.weekday()]} {clock}"
    if this_year:
        return f"{_MONTHS[local.month - 1]} {local.day} {clock}"
    return f"{local:%Y-%m-%d} {clock}"


def _cell(value: Any, column: str, now: datetime) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if is_time_column(column):
        moment = parse_time(value)
        if moment is not None:
            return when(moment, now)
    return str(value)
