"""Deliveries of events to webhooks and hooks: the events table is the outbox, and each
target (a webhook's url, a hook's command as JSON text) moves the events it wants into
delivery rows, which stay `pending` until the receiver took them.

Fan-out and the cursor move in one transaction, so an event is never skipped nor
fanned out twice. A target seen for the first time starts at the newest event: it
gets what happens from then on, not the history. Each peer (and the events without
one, such as line events) is a queue of its own: only its oldest pending delivery is
due, so a contact's events arrive in order and a peer waiting in backoff holds back
nobody else. Only this module writes a delivery's status, through DELIVERY_TRANSITIONS.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from modemd.store.db import Database, iso, utc_now
from modemd.store.states import (
    DELIVERY_TRANSITIONS,
    DeliveryStatus,
    IllegalTransition,
    guard,
)
from modemd.store.transitions import NotFound, audit

FIRST_BACKOFF_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 600.0
HOOK_PREFIX = "["  # a hook's target is its command as a JSON list; a webhook's is a url
_PENDING = DeliveryStatus.PENDING
# the oldest pending delivery of each peer (NULL: the events without a peer) of a target
_HEADS = ("WITH heads AS (SELECT MIN(event_id) AS event_id FROM deliveries "
          "WHERE target = :target AND status = :pending GROUP BY peer) "
          "SELECT d.*, e.payload, e.at AS event_at FROM heads "
          "JOIN deliveries d ON d.target = :target AND d.event_id = heads.event_id "
          "LEFT JOIN events e ON e.event_id = d.event_id")


@dataclass(frozen=True)
class Due:
    """A delivery to try now: its row and the event object to deliver (None when the
    event is no longer kept)."""

    id: int
    target: str
    event_id: int
    peer: str | None
    attempts: int
    event: dict | None
    event_at: str | None


def target_kind(target: str) -> str:
    """webhook or hook: a bounded label for metrics and listings."""
    return "hook" if target.startswith(HOOK_PREFIX) else "webhook"


def backoff(attempts: int) -> timedelta:
    """After the n-th failed attempt: 5 s doubling, at most 10 min."""
    seconds = FIRST_BACKOFF_SECONDS * 2 ** max(0, min(attempts - 1, 20))
    return timedelta(seconds=min(seconds, MAX_BACKOFF_SECONDS))


class Deliveries:
    def __init__(self, database: Database) -> None:
        self.database = database

    def fan_out(self, target: str, kinds: Iterable[str], now: datetime | None = None) -> int:
        """New events after the target's cursor that it wants become pending deliveries,
        and the cursor moves past every new event, in one transaction; how many rows."""
        kinds = sorted(set(kinds))
        cursor = self.database.one("SELECT last_event_id FROM delivery_cursors "
                                   "WHERE target = ?", (target,))
        newest = self.database.one("SELECT COALESCE(MAX(event_id), 0) AS n FROM events")
        if cursor is not None and newest is not None and cursor["last_event_id"] >= newest["n"]:
            return 0  # nothing new: no write (every nudge asks)
        with self.database.write() as conn:
            return _fan_out(conn, target, kinds, iso(now or utc_now()))

    def due(self, target: str, now: datetime | None = None, limit: int = 50) -> list[Due]:
        """The heads of the target's peer queues whose time has come, oldest event first."""
        rows = self.database.query(
            f"{_HEADS} WHERE d.next_attempt_at <= :now ORDER BY d.event_id LIMIT :limit",
            {"target": target, "pending": _PENDING, "now": iso(now or utc_now()),
             "limit": limit})
        return [Due(id=row["id"], target=row["target"], event_id=row["event_id"],
                    peer=row["peer"], attempts=row["attempts"], event_at=row["event_at"],
                    event=None if row["payload"] is None else
                    {"event_id": row["event_id"], **json.loads(row["payload"])})
                for row in rows]

    def next_due(self, target: str) -> datetime | None:
        """When the target's next head is due (None: nothing pending)."""
        row = self.database.one(f"SELECT MIN(d.next_attempt_at) AS at FROM ({_HEADS}) d",
                                {"target": target, "pending": _PENDING})
        return None if row is None or row["at"] is None else datetime.fromisoformat(row["at"])

    def delivered(self, delivery_id: int, now: datetime | None = None) -> None:
        """The receiver took it (2xx, exit 0)."""
        at = iso(now or utc_now())
        with self.database.write() as conn:
            _move(conn, delivery_id, DeliveryStatus.DELIVERED, delivered_at=at,
                  attempts=_attempts(conn, delivery_id) + 1, last_error=None)

    def attempt_failed(self, delivery_id: int, error: str, window: timedelta,
                       now: datetime | None = None) -> DeliveryStatus:
        """Back off, or fail it once `window` after its event has passed; the new status.
        The last try falls at the window's end, not after it."""
        now = now or utc_now()
        with self.database.write() as conn:
            row = conn.execute(
                "SELECT d.attempts, COALESCE(e.at, d.created_at) FROM deliveries d "
                "LEFT JOIN events e ON e.event_id = d.event_id WHERE d.id = ?",
                (delivery_id,)).fetchone()
            if row is None:
                raise NotFound(f"no delivery {delivery_id}: see `modemd hooks`")
            attempts, deadline = row[0] + 1, datetime.fromisoformat(row[1]) + window
            if now >= deadline:
                _move(conn, delivery_id, DeliveryStatus.FAILED, attempts=attempts,
                      last_error=error, next_attempt_at=None)
                return DeliveryStatus.FAILED
            later = min(now + backoff(attempts), deadline)
            _move(conn, delivery_id, _PENDING, attempts=attempts, last_error=error,
                  next_attempt_at=iso(later))
            return _PENDING

    def retry(self, delivery_id: int, operator: str, now: datetime | None = None) -> dict:
        """A failed (or pending) delivery is due again now, audited; the row as it was.
        A failed one gets one more try: its retry window, counted from the event, is over."""
        with self.database.write() as conn:
            row = _row(conn, delivery_id)
            if row["status"] == DeliveryStatus.DELIVERED:
                raise IllegalTransition(f"delivery {delivery_id} was delivered already "
                                        f"({row['delivered_at']}): there is nothing to retry")
            _move(conn, delivery_id, _PENDING, next_attempt_at=iso(now or utc_now()))
            audit(conn, operator, "retry_delivery", None,
                  f"delivery {delivery_id} of event {row['event_id']} to {row['target']} "
                  f"(was {row['status']})", peer=row["peer"])
        return row

    def abandon(self, configured: Iterable[str], now: datetime | None = None) -> int:
        """Fail the pending deliveries of targets no longer configured, and forget their
        cursors (one configured again starts at new events, as any new one does); how
        many were failed."""
        kept = list(configured)
        marks = ", ".join("?" * len(kept))
        with self.database.write() as conn:
            gone = [row[0] for row in conn.execute(
                "SELECT id FROM deliveries WHERE status = ? AND target NOT IN "
                f"({marks})", (_PENDING, *kept))]
            for delivery_id in gone:
                _move(conn, delivery_id, DeliveryStatus.FAILED, next_attempt_at=None,
                      last_error=f"the target is no longer configured (at {iso(now or utc_now())})")
            conn.execute(f"DELETE FROM delivery_cursors WHERE target NOT IN ({marks})", kept)
        return len(gone)

    def listing(self, statuses: Iterable[DeliveryStatus] = (_PENDING, DeliveryStatus.FAILED),
                limit: int = 100) -> list[dict]:
        """Deliveries in these statuses, oldest event first, with the event's kind."""
        wanted = list(statuses)
        marks = ", ".join("?" * len(wanted))
        rows = self.database.query(
            "SELECT d.id, d.target, e.event AS event, d.event_id, d.peer, d.status, "
            "d.attempts, d.next_attempt_at, d.last_error, d.created_at FROM deliveries d "
            f"LEFT JOIN events e ON e.event_id = d.event_id WHERE d.status IN ({marks}) "
            "ORDER BY d.event_id, d.id LIMIT ?", (*wanted, limit))
        return [{**row, "kind": target_kind(row["target"])} for row in rows]

    def counts(self) -> dict[tuple[str, str], int]:
        """{(target kind, status): deliveries}, for metrics."""
        rows = self.database.query(
            "SELECT CASE WHEN substr(target, 1, 1) = ? THEN 'hook' ELSE 'webhook' END AS kind, "
            "status, COUNT(*) AS n FROM deliveries GROUP BY kind, status", (HOOK_PREFIX,))
        return {(row["kind"], row["status"]): row["n"] for row in rows}


def _fan_out(conn: sqlite3.Connection, target: str, kinds: list[str], now: str | None) -> int:
    newest = conn.execute("SELECT COALESCE(MAX(event_id), 0) FROM events").fetchone()[0]
    cursor = conn.execute("SELECT last_event_id FROM delivery_cursors WHERE target = ?",
                          (target,)).fetchone()
    if cursor is None:  # first seen: from now on, no replay of the history
        conn.execute("INSERT INTO delivery_cursors (target, last_event_id) VALUES (?, ?)",
                     (target, newest))
        return 0
    marks = ", ".join("?" * len(kinds))
    added = conn.execute(
        "INSERT OR IGNORE INTO deliveries (target, event_id, peer, status, attempts, "
        "next_attempt_at, created_at) SELECT ?, event_id, peer, ?, 0, ?, ? FROM events "
        f"WHERE event_id > ? AND event_id <= ? AND event IN ({marks})",
        (target, _PENDING, now, now, cursor[0], newest, *kinds)).rowcount
    conn.execute("UPDATE delivery_cursors SET last_event_id = ? WHERE target = ?",
                 (newest, target))
    return added


def _row(conn: sqlite3.Connection, delivery_id: int) -> dict:
    cursor = conn.execute("SELECT * FROM deliveries WHERE id = ?", (delivery_id,))
    row = cursor.fetchone()
    if row is None:
        raise NotFound(f"no delivery {delivery_id}: `modemd hooks` lists the pending and "
                       "failed ones with their ids")
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


def _attempts(conn: sqlite3.Connection, delivery_id: int) -> int:
    return int(_row(conn, delivery_id)["attempts"])


def _move(conn: sqlite3.Connection, delivery_id: int, new: DeliveryStatus,
          **columns: object) -> None:
    old = _row(conn, delivery_id)["status"]
    guard(DELIVERY_TRANSITIONS, f"delivery {delivery_id}", old, new)
    values = {"status": new, **columns}
    assignments = ", ".join(f"{name} = ?" for name in values)
    conn.execute(f"UPDATE deliveries SET {assignments} WHERE id = ?",
                 (*values.values(), delivery_id))
