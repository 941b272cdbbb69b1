"""Is the daemon alive? The daemon lock says whether a `modemd run` holds the database;
its run row's heartbeat says whether that process still works. `modemd status` and
GET /v1/lines show the answer; `modemd health` and GET /v1/health judge it.

The lock is probed with a shared flock, released at once: it never blocks, and a
daemon holding its exclusive lock makes the probe fail. /proc is not read: it may be
another pid namespace's.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime
from pathlib import Path

from modemd.store import DaemonLock, Store
from modemd.store.runs import STALE_SECONDS, age_seconds

# state -> what a monitor makes of it (health); anything but running is a problem
HEALTHY, STARTING = "running", "starting"


def lock_held(database: Path) -> bool | None:
    """True while a daemon holds DB.daemon.lock; None when it cannot be told."""
    return DaemonLock.held(database)


def _lock_file(database: Path) -> tuple[int | None, float | None]:
    """The pid a daemon wrote into its lock file, and how long ago it wrote it."""
    path = Path(f"{database}.daemon.lock")
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text().strip() or 0) or None, time.time() - path.stat().st_mtime
    return None, None


def daemon_state(store: Store, database: Path, now: datetime | None = None) -> dict:
    """{state, text, pid, started_at, heartbeat_at, heartbeat_age_seconds, stopped_at,
    lock}. state: running, starting, hung, no_heartbeat, stopped, dead, never."""
    run = store.runs.latest() or {}
    held = lock_held(database)
    age = age_seconds(run.get("heartbeat_at"), now)
    live = bool(run) and run.get("stopped_at") is None
    pid, written = _lock_file(database) if held else (None, None)
    state = _classify(held, live, age, written, bool(run))
    info = {"state": state, "pid": run.get("pid") if live else pid,
            "started_at": run.get("started_at"), "heartbeat_at": run.get("heartbeat_at"),
            "heartbeat_age_seconds": None if age is None else round(age, 1),
            "stopped_at": run.get("stopped_at"),
            "lock": {True: "held", False: "free", None: "unknown"}[held]}
    return {**info, "text": _describe(info)}


def _classify(held: bool | None, live: bool, age: float | None, written: float | None,
              ran: bool) -> str:
    fresh = live and age is not None and age <= STALE_SECONDS
    if held is False:
        # the lock decides: right after kill -9 the last heartbeat is still fresh
        return "dead" if live else "stopped" if ran else "never"
    if live:
        return HEALTHY if fresh else "hung" if held else "dead"
    if held is None:
        return "stopped" if ran else "never"
    # held, but the newest run row is not this daemon's (yet)
    return STARTING if written is not None and written <= STALE_SECONDS else "no_heartbeat"


def _describe(info: dict) -> str:
    pid, age = info["pid"], info["heartbeat_age_seconds"]
    return {
        "running": f"running pid {pid} since {info['started_at']}, heartbeat {ago(age)}",
        "starting": f"starting: pid {pid} holds the database, no heartbeat yet",
        "hung": f"not heartbeating: pid {pid} holds the database, but its last heartbeat "
                f"was {ago(age)} (over {STALE_SECONDS:g} s: hung?)",
        "no_heartbeat": f"pid {pid} holds the database but records no heartbeat (a "
                        "modemd without heartbeats, or hung while starting)",
        "dead": f"not running: last heartbeat {info['heartbeat_at']}, {ago(age)} "
                "(crashed or killed)",
        "stopped": f"not running: stopped at {info['stopped_at']}",
        "never": "not running: no daemon has run on this database",
    }[info["state"]]


def ago(seconds: float | None) -> str:
    """3 s ago, 5 min ago, 2 h ago, 4 d ago; '-' when unknown. Seconds, unlike a
    table's "just now": a heartbeat 40 s old is news."""
    if seconds is None:
        return "-"
    return f"{duration(seconds)} ago"


def duration(seconds: float) -> str:
    """59 s, 5 min, 3 h, 4 d: whole units, rounded down (a table's "2 min ago" and
    `modemd status`'s "heartbeat 2 min ago" agree: the CLI's tables use this too)."""
    seconds = max(0.0, seconds)
    for limit, unit, size in ((60, "s", 1), (3600, "min", 60), (172800, "h", 3600)):
        if seconds < limit:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds // 86400)} d"
