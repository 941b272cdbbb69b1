"""Figures over the whole database for metrics and `modemd health`, one query each."""

from __future__ import annotations

from datetime import timedelta

from modemd.store.db import Database, iso, utc_now
from modemd.store.runs import age_seconds
from modemd.store.states import IN_QUEUE, sql_list


class Stats:
    def __init__(self, database: Database) -> None:
        self.database = database

    def messages(self) -> list[dict]:
        """[{direction, status, count}] for every pair that has messages."""
        return self.database.query(
            "SELECT direction, status, COUNT(*) AS count FROM messages "
            "GROUP BY direction, status ORDER BY direction, status")

    def queue(self) -> dict:
        """depth: outbound messages still to go (queued or sending); oldest_seconds: how
        long the oldest of them has waited (None when the queue is empty)."""
        row = self.database.one(
            f"SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM messages "
            f"WHERE direction = 'out' AND status IN {sql_list(IN_QUEUE)}")
        oldest = row["oldest"] if row else None
        return {"depth": int(row["depth"]) if row else 0, "oldest_seconds": age_seconds(oldest)}

    def reports(self, window: timedelta | None = None) -> dict:
        """Delivery reports received (within window, if given): matched to a part of ours,
        orphaned (no part matched), and the ratio matched / all (None without reports)."""
        since = iso(utc_now() - window) if window else None
        row = self.database.one(
            "SELECT COUNT(part_id) AS matched, COUNT(*) - COUNT(part_id) AS orphaned "
            "FROM reports WHERE ?1 IS NULL OR received_at >= ?1", (since,))
        matched, orphaned = (int(row["matched"]), int(row["orphaned"])) if row else (0, 0)
        total = matched + orphaned
        return {"matched": matched, "orphaned": orphaned,
                "ratio": matched / total if total else None}
