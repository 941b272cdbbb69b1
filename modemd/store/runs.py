"""The daemon's own record: one row per `modemd run`, with a heartbeat.

`modemd health` tells a running daemon from a dead or hung one by the heartbeat's
age; metrics count restarts and the sends each start found interrupted."""

from __future__ import annotations

from datetime import datetime

from modemd.store.db import Database, iso, utc_now


class Runs:
    def __init__(self, database: Database) -> None:
        self.database = database

    def begin(self, pid: int, version: str | None) -> int:
        now = iso(utc_now())
        with self.database.write() as conn:
            cursor = conn.execute(
                "INSERT INTO daemon_runs (pid, version, started_at, heartbeat_at) "
                "VALUES (?, ?, ?, ?)", (pid, version, now, now))
            return int(cursor.lastrowid or 0)

    def interrupted(self, run_id: int, count: int) -> None:
        with self.database.write() as conn:
            conn.execute("UPDATE daemon_runs SET interrupted = interrupted + ? WHERE id = ?",
                         (count, run_id))

    def beat(self, run_id: int) -> None:
        with self.database.write() as conn:
            conn.execute("UPDATE daemon_runs SET heartbeat_at = ? WHERE id = ?",
                         (iso(utc_now()), run_id))

    def end(self, run_id: int) -> None:
        with self.database.write() as conn:
            conn.execute("UPDATE daemon_runs SET stopped_at = ?1, heartbeat_at = ?1 "
                         "WHERE id = ?2", (iso(utc_now()), run_id))

    def latest(self) -> dict | None:
        """The newest run: started_at, heartbeat_at, stopped_at (None while it runs or
        after a crash), pid, version."""
        return self.database.one("SELECT * FROM daemon_runs ORDER BY id DESC LIMIT 1")

    def totals(self) -> dict[str, int]:
        """starts (every run), unclean (runs that ended without stopping: a crash, kill -9,
        power loss; the newest run is not counted while it may still be running) and
        interrupted (sends found half-done at start-ups)."""
        row = self.database.one(
            "SELECT COUNT(*) AS starts, COALESCE(SUM(interrupted), 0) AS interrupted, "
            "COALESCE(SUM(stopped_at IS NULL AND id < (SELECT MAX(id) FROM daemon_runs)), 0) "
            "AS unclean FROM daemon_runs")
        return {key: int(row[key]) if row else 0 for key in ("starts", "unclean", "interrupted")}


def age_seconds(stamp: str | None, now: datetime | None = None) -> float | None:
    if stamp is None:
        return None
    return ((now or utc_now()) - datetime.fromisoformat(stamp)).total_seconds()


BEAT_SECONDS = 10.0  # how often a running daemon writes its heartbeat
STALE_SECONDS = 60.0  # a heartbeat older than this: the daemon is hung or gone
