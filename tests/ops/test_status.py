"""`modemd status` shows the daemon's state and each line's last contact, and keeps
everything it showed before (lines, the unassigned queue, the database)."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from modemd.store import Store

from .support import add_line, modemd


def test_status_shows_a_dead_daemon_and_how_long_ago_each_line_was_seen(
        tmp_path: Path, back_in_time) -> None:
    db = tmp_path / "modemd.db"
    store = Store(db)
    back_in_time(timedelta(minutes=7))
    add_line(store, 1, name="desk-1")
    store.runs.begin(4242, "test")  # no lock held: killed, never stopped
    back_in_time(None)
    heartbeat = store.runs.latest()["heartbeat_at"]
    store.close()

    text = modemd("status", "--db", str(db)).stdout
    header, row = text.splitlines()[:2]
    assert "LAST_SEEN" in header and "desk-1" in row and "7 min ago" in row
    assert (f"daemon: not running: last heartbeat {heartbeat}, 7 min ago (crashed or "
            "killed)") in text
    assert "queued, no line chosen yet: 0" in text and f"database {db}: " in text

    status = json.loads(modemd("status", "--db", str(db), "--json").stdout)
    assert set(status) == {"lines", "queued_without_line", "database", "daemon"}
    assert status["daemon"] | {"heartbeat_age_seconds": None} == {
        "state": "dead", "pid": 4242, "started_at": status["daemon"]["started_at"],
        "heartbeat_at": heartbeat, "heartbeat_age_seconds": None, "stopped_at": None,
        "lock": "free", "text": status["daemon"]["text"]}
    assert status["lines"][0]["name"] == "desk-1"


def test_status_on_a_database_no_daemon_ran_on(tmp_path: Path) -> None:
    db = tmp_path / "modemd.db"
    assert modemd("send", "--db", str(db), "+12015550123", "queued first").returncode == 0
    done = modemd("status", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "daemon: not running: no daemon has run on this database" in done.stdout
    assert "queued, no line chosen yet: 1" in done.stdout
    assert not Path(f"{db}.daemon.lock").exists() and os.path.exists(db)
