"""Inbound parts, deduplicated by fingerprint, reassembled from rows (a restart loses
nothing); incomplete messages after a timeout, late parts merged in; quarantine."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from modemd.store.db import Database, iso, utc_now
from modemd.store.events import record
from modemd.store.optouts import apply_keyword
from modemd.store.states import EventKind, InboundStatus
from modemd.store.transitions import move_inbound

if TYPE_CHECKING:
    from modemd.sms import Deliver

MISSING = "[…]"  # where a part never arrived
REFERENCE_WINDOW = timedelta(hours=24)  # networks reuse concatenation references


def fingerprint(line_id: int | None, pdu: str) -> str:
    import hashlib  # noqa: PLC0415  (OpenSSL's, a few ms that listings never need)

    return hashlib.sha256(f"{line_id}:{pdu.strip().upper()}".encode()).hexdigest()


@dataclass(frozen=True)
class Recorded:
    kind: str  # "message", "part" (waiting for siblings), "merged", "duplicate", "quarantined"
    message_id: int | None = None


class Inbox:
    def __init__(self, database: Database) -> None:
        self.database = database

    def origin(self, message_id: int) -> tuple[str, int | None] | None:
        """Who sent inbound message_id and on which line it came in; None if there is no
        such inbound message."""
        row = self.database.one("SELECT peer, line_id FROM messages WHERE id = ? "
                                "AND direction = 'in'", (message_id,))
        return None if row is None else (row["peer"], row["line_id"])

    def record(self, line_id: int, pdu: str, message: Deliver) -> Recorded:
        """Store one received part; make, complete or merge its message when it can.
        One transaction whatever it does, so one commit (one fsync) per part."""
        concat = message.concat
        now = utc_now()
        with self.database.write() as conn:
            part_id = _insert_part(conn, line_id, pdu, message, iso(now))
            if part_id is None:
                return Recorded("duplicate")
            if concat is None or concat.total == 1:
                return Recorded("message", _make_message(conn, [(part_id, 1, message.text)]))
            key = (line_id, message.originator.number, concat.reference, concat.total,
                   int(concat.wide), iso(now - REFERENCE_WINDOW))
            waiting = _waiting(conn, key)
            late = _incomplete_for(conn, key, concat.sequence)
            if late is not None and all(i == part_id for i, _, _ in waiting):
                conn.execute("UPDATE inbound_parts SET message_id = ? WHERE id = ?",
                             (late, part_id))
                _rebuild(conn, late)
                return Recorded("merged", late)
            if len({seq for _, seq, _ in waiting}) < concat.total:
                return Recorded("part")
            return Recorded("message", _make_message(conn, waiting))

    def flush_incomplete(self, older_than: timedelta) -> list[int]:
        """Parts that waited too long become an `incomplete` message; late ones merge later."""
        cutoff = iso(utc_now() - older_than)
        made = []
        with self.database.write() as conn:
            groups = conn.execute(
                "SELECT line_id, originator, reference, total, wide FROM inbound_parts "
                "WHERE message_id IS NULL GROUP BY line_id, originator, reference, total, wide "
                "HAVING MIN(received_at) < ?", (cutoff,)).fetchall()
            for group in groups:
                parts = conn.execute(
                    "SELECT id, seq, text FROM inbound_parts WHERE message_id IS NULL "
                    "AND line_id = ? AND originator = ? AND reference IS ? AND total = ? "
                    "AND wide IS ? ORDER BY id", group).fetchall()
                made.append(_make_message(conn, parts))
        return made

    def quarantine(self, line_id: int | None, pdu: str, reason: str) -> Recorded:
        """An undecodable PDU: kept raw with the reason, never dropped."""
        with self.database.write() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO quarantine (line_id, fingerprint, pdu, reason, "
                "received_at) VALUES (?, ?, ?, ?, ?)",
                (line_id, fingerprint(line_id, pdu), pdu, reason, iso(utc_now())))
        return Recorded("quarantined" if cursor.rowcount else "duplicate")


def _insert_part(conn: sqlite3.Connection, line_id: int, pdu: str, message: Deliver,
                 now: str | None) -> int | None:
    concat = message.concat
    cursor = conn.execute(
        "INSERT OR IGNORE INTO inbound_parts (line_id, fingerprint, originator, "
        "originator_type, reference, total, seq, wide, text, encoding, pdu, smsc_time, "
        "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (line_id, fingerprint(line_id, pdu), message.originator.number,
         message.originator.type_of_address, concat.reference if concat else None,
         concat.total if concat else 1, concat.sequence if concat else 1,
         int(concat.wide) if concat else None, message.text,
         message.user_data.encoding.value, pdu.strip().upper(),
         iso(message.service_centre_time), now))
    return int(cursor.lastrowid) if cursor.rowcount else None


def _waiting(conn: sqlite3.Connection, key: tuple) -> list[tuple[int, int, str]]:
    """Parts (id, seq, text) of this concatenated message not yet in a message."""
    return conn.execute(
        "SELECT id, seq, text FROM inbound_parts WHERE message_id IS NULL AND line_id = ? "
        "AND originator = ? AND reference = ? AND total = ? AND wide = ? AND received_at >= ? "
        "ORDER BY seq, id", key).fetchall()


def _incomplete_for(conn: sqlite3.Connection, key: tuple, seq: int) -> int | None:
    line_id, peer, reference, total, wide, since = key
    row = conn.execute(
        "SELECT id FROM messages WHERE direction = 'in' AND status = ? "
        "AND line_id = ? AND peer = ? AND reference = ? AND parts = ? AND wide = ? "
        "AND created_at >= ? AND NOT EXISTS (SELECT 1 FROM inbound_parts p "
        "WHERE p.message_id = messages.id AND p.seq = ?) ORDER BY id DESC LIMIT 1",
        (InboundStatus.INCOMPLETE, line_id, peer, reference, total, wide, since,
         seq)).fetchone()
    return int(row[0]) if row else None


def _make_message(conn: sqlite3.Connection, parts: list[tuple[int, int, str]]) -> int:
    """A message from parts (id, seq, text), the first giving sender and times; text and
    status come from the parts in hand (no re-reading them by message)."""
    first = conn.execute(
        "SELECT line_id, originator, originator_type, reference, total, wide, smsc_time, "
        "received_at, encoding FROM inbound_parts WHERE id = ?", (parts[0][0],)).fetchone()
    line_id, peer, peer_type, reference, total, wide, smsc_time, received_at, encoding = first
    text, received = _assemble(total, parts)
    cursor = conn.execute(
        "INSERT INTO messages (direction, peer, peer_type, line_id, text, encoding, status, "
        "parts, parts_received, reference, wide, created_at, smsc_time) "
        "VALUES ('in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (peer, peer_type, line_id, text, encoding, _status(total, received), total,
         received, reference, wide, received_at, smsc_time))
    message_id = int(cursor.lastrowid or 0)
    conn.executemany("UPDATE inbound_parts SET message_id = ? WHERE id = ?",
                     [(message_id, part_id) for part_id, _, _ in parts])
    record(conn, EventKind.INBOUND, message_id=message_id)
    if received >= total:  # complete: a STOP counts in this same transaction
        apply_keyword(conn, message_id, peer, text)
    return message_id


def _rebuild(conn: sqlite3.Connection, message_id: int) -> None:
    """A late part joined the message: its text and status again, from all its parts."""
    total = conn.execute("SELECT parts FROM messages WHERE id = ?", (message_id,)).fetchone()[0]
    parts = conn.execute("SELECT id, seq, text FROM inbound_parts WHERE message_id = ?",
                         (message_id,)).fetchall()
    text, received = _assemble(total, parts)
    move_inbound(conn, message_id, _status(total, received), text=text,
                 parts_received=received)
    if received >= total:  # completed by the late part
        peer = conn.execute("SELECT peer FROM messages WHERE id = ?", (message_id,)).fetchone()[0]
        apply_keyword(conn, message_id, peer, text)


def _assemble(total: int, parts: list[tuple[int, int, str]]) -> tuple[str, int]:
    """The distinct parts' text in order, a marker where one is missing (of two parts
    with one number, the first stored wins); and how many distinct parts there are."""
    by_seq: dict[int, str] = {}
    for _, seq, text in sorted(parts):
        by_seq.setdefault(seq, text)
    return "".join(by_seq.get(seq, MISSING) for seq in range(1, total + 1)), len(by_seq)


def _status(total: int, received: int) -> InboundStatus:
    return InboundStatus.RECEIVED if received >= total else InboundStatus.INCOMPLETE
