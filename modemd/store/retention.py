"""Retention: final messages older than N days go, with the rows that hang on them.

Only messages in a final status go (an allow-list, so a status added later is kept
until someone decides otherwise): outbound sent, delivered, failed, expired, unknown,
cancelled; inbound received, incomplete. A message's age is its last activity
(created, sent or delivered). With a message go its outbound parts, the delivery reports matched to
them and its inbound parts; old quarantine rows, old orphaned reports and old events
(the outbox `watch` follows: a feed, not state) go too, but for those a pending
delivery to a webhook or hook still needs; delivered and failed deliveries go by age.
The audit trail is kept: it records who did what, and its message ids stay meaningful
in a backup.

Deleting is done in chunks of CHUNK messages, one short transaction each, so the
daemon's lines never wait long for the write lock while a big backlog is pruned.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from modemd.errors import InvalidInputError
from modemd.store.db import Database, iso, utc_now
from modemd.store.states import DeliveryStatus, InboundStatus, OutboundStatus, sql_list

CHUNK = 500  # messages per transaction: a few ms of write lock each
PAUSE_SECONDS = 0.005  # between chunks, so waiting writers get the lock
FINAL_OUT = (OutboundStatus.SENT, OutboundStatus.DELIVERED, OutboundStatus.FAILED,
             OutboundStatus.EXPIRED, OutboundStatus.UNKNOWN, OutboundStatus.CANCELLED)
FINAL_IN = (InboundStatus.RECEIVED, InboundStatus.INCOMPLETE)
_LAST_ACTIVITY = "MAX(created_at, COALESCE(sent_at, ''), COALESCE(delivered_at, ''))"
_OLD_MESSAGES = (
    f"SELECT id FROM messages WHERE ((direction = 'out' AND status IN {sql_list(FINAL_OUT)}) "
    f"OR (direction = 'in' AND status IN {sql_list(FINAL_IN)})) AND {_LAST_ACTIVITY} < :before")
_OLD_QUARANTINE = "SELECT id FROM quarantine WHERE received_at < :before"
_OLD_ORPHANS = "SELECT id FROM reports WHERE part_id IS NULL AND received_at < :before"
# a pending delivery keeps its event (it is what will be sent); finished ones go with it
_OLD_DELIVERIES = (f"SELECT id FROM deliveries WHERE status IN "
                   f"{sql_list((DeliveryStatus.DELIVERED, DeliveryStatus.FAILED))} "
                   "AND created_at < :before")
_OLD_EVENTS = ("SELECT event_id FROM events WHERE at < :before AND event_id NOT IN "
               "(SELECT event_id FROM deliveries WHERE status IN "
               f"{sql_list((DeliveryStatus.PENDING,))})")
TABLES = ("messages", "outbound_parts", "inbound_parts", "reports", "quarantine",
          "deliveries", "events")


def cutoff(days: float, now: datetime | None = None) -> str:
    """The ISO moment before which final messages go."""
    if isinstance(days, bool) or not isinstance(days, int | float) or not days > 0:
        raise InvalidInputError(f"retention of {days!r} days makes no sense: give a number "
                                "of days above 0 (retention_days, --days), or set none to "
                                "keep everything")
    return str(iso((now or utc_now()) - timedelta(days=days)))


def prune(database: Database, days: float, now: datetime | None = None) -> dict:
    """Delete what is older than `days` (see the module); {table: rows deleted}, all
    0 when nothing was. Safe while the daemon runs: each chunk is its own transaction."""
    before = cutoff(days, now)
    deleted = dict.fromkeys(TABLES, 0)
    while _step(database, deleted, "messages", lambda conn: _messages(conn, before)):
        pass
    for table, select in (("quarantine", _OLD_QUARANTINE), ("reports", _OLD_ORPHANS),
                          ("deliveries", _OLD_DELIVERIES), ("events", _OLD_EVENTS)):
        while _step(database, deleted, table,
                    lambda conn, t=table, s=select: _rows(conn, t, s, before)):
            pass
    return deleted


def prunable(database: Database, days: float, now: datetime | None = None) -> dict:
    """What prune() would delete now, counted in one snapshot; deletes nothing."""
    before = cutoff(days, now)
    ids = f"({_OLD_MESSAGES})"
    parts = f"(SELECT id FROM outbound_parts WHERE message_id IN {ids})"
    counts = {
        "messages": f"SELECT COUNT(*) AS n FROM ({_OLD_MESSAGES})",
        "outbound_parts": f"SELECT COUNT(*) AS n FROM outbound_parts WHERE message_id IN {ids}",
        "inbound_parts": f"SELECT COUNT(*) AS n FROM inbound_parts WHERE message_id IN {ids}",
        "reports": f"SELECT (SELECT COUNT(*) FROM reports WHERE part_id IN {parts}) "
                   f"+ (SELECT COUNT(*) FROM ({_OLD_ORPHANS})) AS n",
        "quarantine": f"SELECT COUNT(*) AS n FROM ({_OLD_QUARANTINE})",
        "deliveries": f"SELECT COUNT(*) AS n FROM ({_OLD_DELIVERIES})",
        "events": f"SELECT COUNT(*) AS n FROM ({_OLD_EVENTS})",
    }
    with database.snapshot():
        return {table: _count(database, sql, before) for table, sql in counts.items()}


def _count(database: Database, sql: str, before: str) -> int:
    row = database.one(sql, {"before": before})
    return int(row["n"]) if row else 0


def _step(database: Database, deleted: dict[str, int], primary: str,
          chunk: Callable[[sqlite3.Connection], dict[str, int]]) -> bool:
    """One chunk in its own transaction; whether it was full (more may wait)."""
    with database.write() as conn:
        done = chunk(conn)
    for table, count in done.items():
        deleted[table] += count
    if done.get(primary, 0) < CHUNK:
        return False
    time.sleep(PAUSE_SECONDS)
    return True


def _messages(conn: sqlite3.Connection, before: str) -> dict[str, int]:
    ids = [row[0] for row in conn.execute(f"{_OLD_MESSAGES} ORDER BY id LIMIT {CHUNK}",
                                          {"before": before})]
    if not ids:
        return {"messages": 0}
    marks = ", ".join("?" * len(ids))
    parts = f"SELECT id FROM outbound_parts WHERE message_id IN ({marks})"
    # children first: the foreign keys point at the parts and the messages
    counts = {
        "reports": conn.execute(f"DELETE FROM reports WHERE part_id IN ({parts})", ids),
        "outbound_parts": conn.execute(
            f"DELETE FROM outbound_parts WHERE message_id IN ({marks})", ids),
        "inbound_parts": conn.execute(
            f"DELETE FROM inbound_parts WHERE message_id IN ({marks})", ids),
        "messages": conn.execute(f"DELETE FROM messages WHERE id IN ({marks})", ids),
    }
    return {table: cursor.rowcount for table, cursor in counts.items()}


def _rows(conn: sqlite3.Connection, table: str, select: str, before: str) -> dict[str, int]:
    # rowid: each table's integer key, whatever its name (id, event_id)
    cursor = conn.execute(f"DELETE FROM {table} WHERE rowid IN ({select} ORDER BY 1 "
                          f"LIMIT {CHUNK})", {"before": before})
    return {table: cursor.rowcount}
