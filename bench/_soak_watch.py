"""A watcher of the lines' states while the soak runs: every change the daemon writes to
its `lines` table (read-only), with the time it was seen, into the run log. States
come and go in seconds, and the database keeps only the last one."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from _rig import read_only

POLL = 0.2


class StateWatch:
    def __init__(self, db: Path, changes: list[dict]) -> None:
        self.db = db
        self.changes = changes  # the run log's "line_states"
        self._seen: dict[str, tuple[str, str | None]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-states", daemon=True)

    def __enter__(self) -> StateWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(POLL):
            try:
                with read_only(self.db) as conn:
                    rows = conn.execute("SELECT name, state, reason FROM lines").fetchall()
            except sqlite3.Error:  # locked for a moment, or a daemon mid-migration
                continue
            for name, state, reason in rows:
                if self._seen.get(name) != (state, reason):
                    self._seen[name] = (state, reason)
                    self.changes.append({"time": time.time(), "line": name, "state": state,
                                         "reason": reason})
