"""The event outbox: one row per change an agent watches for (inbound, status, line,
opt-out), written in the transaction that makes the change, so a follower sees every
change that happened and none that did not. The row holds the event object as it was
then; `watch` (and later the API and webhooks) read them in id order."""

from __future__ import annotations

import json
import sqlite3

from modemd.store.db import Database, iso, utc_now
from modemd.store.states import EventKind, OutboundStatus
from modemd.store.views import line_on, message_on

__all__ = ["EventKind", "Events", "record", "status_changed"]


def record(conn: sqlite3.Connection, kind: EventKind, *, message_id: int | None = None,
           line_id: int | None = None, peer: str | None = None, **detail: object) -> None:
    """Add the event inside the caller's transaction; the database wakes watchers after
    it commits (nothing is announced that was rolled back). detail: keys of this kind
    of event alone (an opt-out's `opted_out`)."""
    message = None if message_id is None else message_on(conn, message_id)
    line = None if line_id is None else line_on(conn, line_id)
    if peer is None and message is not None:
        peer = message["peer"]
    at = iso(utc_now())
    payload = {"event": kind.value, "at": at, "message": message, "line": line, "peer": peer,
               **detail}
    conn.execute("INSERT INTO events (event, at, peer, message_id, line_id, payload) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 (kind, at, peer, message_id, line_id, json.dumps(payload, default=str)))
    setattr(conn, "events_written", True)  # noqa: B010  (db.Connection's flag)


def status_changed(old: OutboundStatus | None, new: OutboundStatus) -> bool:
    """Which moves agents hear of: a new message, and every real change except a line
    taking it (sending) or handing it back to the queue for another try."""
    if old is None:
        return True
    return old != new and new is not OutboundStatus.SENDING and not (
        new is OutboundStatus.QUEUED and old is OutboundStatus.SENDING)


class Events:
    def __init__(self, database: Database) -> None:
        self.database = database

    def after(self, event_id: int, limit: int = 500) -> list[dict]:
        """Event objects with an id above event_id, oldest first."""
        rows = self.database.query("SELECT event_id, payload FROM events WHERE event_id > ? "
                                   "ORDER BY event_id LIMIT ?", (event_id, limit))
        return [{"event_id": row["event_id"], **json.loads(row["payload"])} for row in rows]

    def last_id(self) -> int:
        """The newest event's id (0 when there is none): a follower starts after it."""
        row = self.database.one("SELECT COALESCE(MAX(event_id), 0) AS n FROM events")
        return int(row["n"]) if row else 0
