"""Outbound messages and their parts: the queue, claims, and what each try's outcome
does to them. The state machines are in states.py; moves go through transitions.py.

A part is `sending` (committed) before AT+CMGS goes out, and its payload_at is
committed before the first PDU byte is written. A try that fails before that byte
puts the part back in the queue by itself; one that fails after it, or a crash with
payload_at set, leaves it `unknown`, which only an agent's resend sends again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from modemd.store.db import Database, iso, utc_now
from modemd.store.events import record
from modemd.store.states import (
    IN_QUEUE,
    NOT_STARTED,
    PART_DONE,
    RESENDABLE,
    EventKind,
    IllegalTransition,
    OutboundStatus,
    PartStatus,
    sql_list,
)
from modemd.store.transitions import audit, move_message, move_part, rollup

# (connection, peer, requested line) -> the line that should send it now, or None
LineChooser = Callable[[sqlite3.Connection, str, int | None], int | None]

_O, _P = OutboundStatus, PartStatus
UNFINISHED = "interrupted after the PDU was written: may have been sent"


@dataclass(frozen=True)
class NewPart:
    pdu: str
    tpdu_length: int


@dataclass(frozen=True)
class NewMessage:
    peer: str
    text: str
    encoding: str
    parts: tuple[NewPart, ...]
    operator: str
    requested_line: int | None = None
    answering: int | None = None  # a reply: the inbound message it answers

    @property
    def action(self) -> str:
        """What the audit calls it."""
        return "send" if self.answering is None else "reply"


@dataclass(frozen=True)
class ClaimedPart:
    id: int
    seq: int
    pdu: str
    tpdu_length: int
    status: str


@dataclass(frozen=True)
class Claim:
    message_id: int
    peer: str
    attempts: int  # earlier tries that reached the modem
    parts: tuple[ClaimedPart, ...]  # the ones still to send, in order


class Outbox:
    def __init__(self, database: Database) -> None:
        self.database = database

    def enqueue(self, message: NewMessage, *, scheduled_for: str | None = None,
                new_contact: bool = False, line_id: int | None = None) -> int:
        """One transaction: the message, its parts, the audit line and the event, or
        nothing. scheduled_for: `scheduled` until then, else `queued`. new_contact: the
        first text either way with this peer (pace limits count these). line_id: a line
        chosen now (default: the requested one, if any)."""
        now = iso(utc_now())
        status = _O.QUEUED if scheduled_for is None else _O.SCHEDULED
        with self.database.write() as conn:
            cursor = conn.execute(
                "INSERT INTO messages (direction, peer, text, encoding, parts, status, line_id, "
                "requested_line, operator, created_at, scheduled_for, new_contact) "
                "VALUES ('out', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (message.peer, message.text, message.encoding, len(message.parts), status,
                 line_id if line_id is not None else message.requested_line,
                 message.requested_line, message.operator, now, scheduled_for,
                 int(new_contact)))
            message_id = int(cursor.lastrowid or 0)
            conn.executemany(
                "INSERT INTO outbound_parts (message_id, seq, pdu, tpdu_length, status) "
                "VALUES (?, ?, ?, ?, ?)",
                [(message_id, seq, p.pdu, p.tpdu_length, _P.QUEUED)
                 for seq, p in enumerate(message.parts, start=1)])
            audit(conn, message.operator, message.action, message_id,
                  f"to {message.peer}" + (f", answering #{message.answering}"
                                          if message.answering is not None else ""))
            record(conn, EventKind.STATUS, message_id=message_id)
        return message_id

    def claim(self, line_id: int, choose: LineChooser) -> Claim | None:
        """Take the oldest due message this line should send; it becomes `sending`."""
        due = ("SELECT id, peer, line_id, requested_line, attempts FROM messages "
               "WHERE direction = 'out' AND status = ? "
               "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT 200")
        if not self.database.query(due, (_O.QUEUED, iso(utc_now()))):
            return None  # nothing due: no write lock taken (most wake-ups are inbound)
        with self.database.write() as conn:
            rows = conn.execute(due, (_O.QUEUED, iso(utc_now()))).fetchall()
            for message_id, peer, assigned, requested, attempts in rows:
                if (assigned or choose(conn, peer, requested)) != line_id:
                    continue
                move_message(conn, message_id, _O.SENDING, line_id=line_id)
                return Claim(message_id, peer, attempts, _open_parts(conn, message_id))
        return None

    def part_sending(self, part_id: int, line_id: int) -> None:
        """Committed before AT+CMGS: from here a crash needs a look at payload_at."""
        with self.database.write() as conn:
            move_part(conn, part_id, _P.SENDING, line_id=line_id, submitted_at=iso(utc_now()))

    def part_payload(self, part_id: int) -> None:
        """Committed just before the first PDU byte is written: from here it may go out."""
        with self.database.write() as conn:
            if move_part(conn, part_id, _P.SENDING, payload_at=iso(utc_now())) is not _P.SENDING:
                raise IllegalTransition(f"part {part_id} is not sending: its PDU must not go")

    def part_sent(self, message_id: int, part_id: int, mr: int | None, *,
                  attempt: bool) -> None:
        """attempt: this is the claim's first part to reach the modem (counts a try)."""
        now = iso(utc_now())
        with self.database.write() as conn:
            move_part(conn, part_id, _P.SENT, mr=mr, submitted_at=now)
            _count_attempt(conn, message_id, attempt)
            left = conn.execute(f"SELECT COUNT(*) FROM outbound_parts WHERE message_id = ? "
                                f"AND status NOT IN {sql_list(PART_DONE)}",
                                (message_id,)).fetchone()[0]
            if left == 0:
                move_message(conn, message_id, _O.SENT, sent_at=now, error=None)
                rollup(conn, message_id, now)  # reports may have beaten the last part

    def part_retry(self, message_id: int, part_id: int, delay: timedelta, reason: str, *,
                   attempt: bool) -> None:
        """The modem refused the part (a clear answer): queue the message again later."""
        with self.database.write() as conn:
            move_part(conn, part_id, _P.QUEUED, error=reason)
            _count_attempt(conn, message_id, attempt)
            move_message(conn, message_id, _O.QUEUED, error=reason,
                         next_attempt_at=iso(utc_now() + delay))

    def part_released(self, message_id: int, part_id: int, reason: str, *,
                      attempt: bool) -> None:
        """Nothing went out, or the line cannot send: the part and message wait in the
        queue, for another line unless a part already went out."""
        with self.database.write() as conn:
            move_part(conn, part_id, _P.QUEUED, error=reason)
            _count_attempt(conn, message_id, attempt)
            _release(conn, message_id, reason)

    def part_failed(self, message_id: int, part_id: int, reason: str, *,
                    attempt: bool) -> None:
        with self.database.write() as conn:
            move_part(conn, part_id, _P.FAILED, error=reason)
            _count_attempt(conn, message_id, attempt)
            move_message(conn, message_id, _O.FAILED, error=reason)

    def part_unknown(self, message_id: int, part_id: int, reason: str, *,
                     attempt: bool) -> None:
        """No answer after the PDU: it may have gone out. Never resent automatically."""
        with self.database.write() as conn:
            move_part(conn, part_id, _P.UNKNOWN, error=reason)
            _count_attempt(conn, message_id, attempt)
            move_message(conn, message_id, _O.UNKNOWN, error=reason)

    def release(self, message_id: int, reason: str) -> None:
        """The line stops before the next part (the daemon is stopping): back to the queue."""
        with self.database.write() as conn:
            _release(conn, message_id, reason)

    def settle(self, message_id: int, reason: str) -> None:
        """A claim that ended early (a full disk, a bug): see _settle."""
        with self.database.write() as conn:
            _settle(conn, message_id, reason)

    def recover_interrupted(self) -> list[int]:
        """At start-up, after a crash: every claim left open is settled. The messages
        that may have gone out (now `unknown`)."""
        with self.database.write() as conn:
            claimed = [row[0] for row in conn.execute(
                "SELECT id FROM messages WHERE direction = 'out' AND status = ?",
                (_O.SENDING,)).fetchall()]
            return [message_id for message_id in claimed
                    if _settle(conn, message_id, "resumed after a restart")]

    def resend(self, message_id: int, operator: str) -> None:
        """An agent's decision: send a failed/unknown/expired message again (its unsent
        and unknown parts, with the same concatenation reference)."""
        with self.database.write() as conn:
            row = conn.execute("SELECT status FROM messages WHERE id = ? AND direction = 'out'",
                               (message_id,)).fetchone()
            if row and row[0] not in RESENDABLE:
                raise IllegalTransition(
                    f"message {message_id} cannot go from {row[0]} to queued: only "
                    f"{', '.join(RESENDABLE)} messages can be resent")
            move_message(conn, message_id, _O.QUEUED, error=None, next_attempt_at=None)
            for (part_id,) in conn.execute(
                    "SELECT id FROM outbound_parts WHERE message_id = ? AND status IN (?, ?)",
                    (message_id, _P.FAILED, _P.UNKNOWN)).fetchall():
                move_part(conn, part_id, _P.QUEUED, mr=None, error=None)
            audit(conn, operator, "resend", message_id, None)

    def reassign_from(self, line_id: int) -> int:
        """The line is gone: its queued and scheduled messages may go out on another
        line, except those pinned to it (--line) and those with a part already out (the
        rest must follow from the same number). How many were freed."""
        with self.database.write() as conn:
            cursor = conn.execute(
                f"UPDATE messages SET line_id = NULL WHERE direction = 'out' "
                f"AND status IN {sql_list(NOT_STARTED)} AND line_id = ?1 "
                "AND requested_line IS NOT ?1 AND NOT EXISTS (SELECT 1 FROM "
                "outbound_parts p WHERE p.message_id = messages.id AND p.status != ?2)",
                (line_id, _P.QUEUED))
            return cursor.rowcount

    def depth(self, line_id: int | None = None) -> int:
        row = self.database.one(
            f"SELECT COUNT(*) AS n FROM messages WHERE direction = 'out' "
            f"AND status IN {sql_list(IN_QUEUE)} AND (?1 IS NULL OR line_id = ?1)", (line_id,))
        return int(row["n"]) if row else 0


def _open_parts(conn: sqlite3.Connection, message_id: int) -> tuple[ClaimedPart, ...]:
    rows = conn.execute("SELECT id, seq, pdu, tpdu_length, status FROM outbound_parts "
                        "WHERE message_id = ? AND status = ? ORDER BY seq",
                        (message_id, _P.QUEUED)).fetchall()
    return tuple(ClaimedPart(*row) for row in rows)


def _settle(conn: sqlite3.Connection, message_id: int, reason: str) -> bool:
    """A part in flight whose PDU may have been written is unknown, and so its message;
    one still waiting for its prompt goes back to the queue, and the message with it if
    it is still `sending`. True when the message became unknown."""
    ambiguous = False
    for part_id, written in conn.execute(
            "SELECT id, payload_at IS NOT NULL FROM outbound_parts WHERE message_id = ? "
            "AND status = ?", (message_id, _P.SENDING)).fetchall():
        move_part(conn, part_id, _P.UNKNOWN if written else _P.QUEUED,
                  error=UNFINISHED if written else None)
        ambiguous = ambiguous or bool(written)
    if ambiguous:
        _count_attempt(conn, message_id, True)
        move_message(conn, message_id, _O.UNKNOWN, error=UNFINISHED)
        return True
    status, = conn.execute("SELECT status FROM messages WHERE id = ?", (message_id,)).fetchone()
    if status == _O.SENDING:
        _release(conn, message_id, reason)
    return False


def _count_attempt(conn: sqlite3.Connection, message_id: int, attempt: bool) -> None:
    if attempt:
        conn.execute("UPDATE messages SET attempts = attempts + 1 WHERE id = ?", (message_id,))


def _release(conn: sqlite3.Connection, message_id: int, reason: str) -> None:
    """Back to the queue. Another line may take it, unless a part already went out: the
    rest must follow from the same number, or the handset cannot join the parts."""
    requested, current, started = conn.execute(
        "SELECT requested_line, line_id, (SELECT COUNT(*) FROM outbound_parts "
        "WHERE message_id = ?1 AND status != ?2) FROM messages WHERE id = ?1",
        (message_id, _P.QUEUED)).fetchone()
    move_message(conn, message_id, _O.QUEUED, error=reason,
                 line_id=current if started else requested)
