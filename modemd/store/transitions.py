"""The only code that changes a status column: each move is checked against its table
first, inside the caller's transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from modemd.store.db import StoreError, iso, utc_now
from modemd.store.events import record, status_changed
from modemd.store.states import (
    INBOUND_TRANSITIONS,
    OUTBOUND_TRANSITIONS,
    PART_TRANSITIONS,
    EventKind,
    InboundStatus,
    OutboundStatus,
    PartStatus,
    guard,
)

VALIDITY_EXPIRED = 0x46  # TP-ST "SM validity period expired"


class NotFound(StoreError):
    """No such message or part."""


def move_message(conn: sqlite3.Connection, message_id: int, new: OutboundStatus,
                 **columns: object) -> OutboundStatus:
    """An outbound message to `new`, with other columns set alike; its old status."""
    old = _checked(conn, "messages WHERE direction = 'out' AND", message_id,
                   OUTBOUND_TRANSITIONS, f"message {message_id}", new,
                   f"no outbound message {message_id}: check the id with `modemd outbox`")
    _update(conn, "messages", message_id, {"status": new, **columns})
    if status_changed(OutboundStatus(old), new):
        record(conn, EventKind.STATUS, message_id=message_id)
    return OutboundStatus(old)


def move_part(conn: sqlite3.Connection, part_id: int, new: PartStatus,
              **columns: object) -> PartStatus:
    """An outbound part to `new`; back in the queue it forgets its last try's PDU time."""
    old = _checked(conn, "outbound_parts WHERE", part_id, PART_TRANSITIONS,
                   f"part {part_id}", new, f"no outbound part {part_id}")
    if new is PartStatus.QUEUED:
        columns.setdefault("payload_at", None)
    _update(conn, "outbound_parts", part_id, {"status": new, **columns})
    return PartStatus(old)


def move_inbound(conn: sqlite3.Connection, message_id: int, new: InboundStatus,
                 **columns: object) -> None:
    _checked(conn, "messages WHERE direction = 'in' AND", message_id, INBOUND_TRANSITIONS,
             f"inbound message {message_id}", new,
             f"no inbound message {message_id}: check the id with `modemd inbox`")
    _update(conn, "messages", message_id, {"status": new, **columns})
    record(conn, EventKind.INBOUND, message_id=message_id)  # a late part completed it


def _checked(conn: sqlite3.Connection, where: str, row_id: int, table: Mapping,
             what: str, new: str, missing: str) -> str:
    """The row's status, once the table allows the move to new; NotFound without it."""
    row = conn.execute(f"SELECT status FROM {where} id = ?", (row_id,)).fetchone()
    if row is None:
        raise NotFound(missing)
    guard(table, what, row[0], new)
    return row[0]


def _update(conn: sqlite3.Connection, table: str, row_id: int, columns: dict) -> None:
    assignments = ", ".join(f"{name} = ?" for name in columns)
    conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", (*columns.values(), row_id))


def rollup(conn: sqlite3.Connection, message_id: int, now: str | None) -> None:
    """A sent message is delivered when every part is; failed when one fails (expired when
    that part's report said the validity period ran out)."""
    current, = conn.execute("SELECT status FROM messages WHERE id = ?", (message_id,)).fetchone()
    if current != OutboundStatus.SENT:
        return
    counts = dict(conn.execute("SELECT status, COUNT(*) FROM outbound_parts "
                               "WHERE message_id = ? GROUP BY status", (message_id,)))
    if counts.get(PartStatus.FAILED):
        error, report_status = conn.execute(
            "SELECT error, report_status FROM outbound_parts WHERE message_id = ? AND "
            "status = ? ORDER BY seq LIMIT 1", (message_id, PartStatus.FAILED)).fetchone()
        expired = report_status == VALIDITY_EXPIRED
        move_message(conn, message_id,
                     OutboundStatus.EXPIRED if expired else OutboundStatus.FAILED, error=error)
    elif set(counts) == {PartStatus.DELIVERED}:
        move_message(conn, message_id, OutboundStatus.DELIVERED, delivered_at=now, error=None)


def audit(conn: sqlite3.Connection, operator: str, action: str, message_id: int | None,
          detail: str | None, *, peer: str | None = None) -> None:
    """Who did what and when; peer: the number it concerns (a message's peer is found
    through message_id)."""
    conn.execute("INSERT INTO audit (at, operator, action, message_id, detail, peer) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 (iso(utc_now()), operator, action, message_id, detail, peer))
