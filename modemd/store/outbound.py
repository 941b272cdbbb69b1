"""Outbound messages and their parts: the queue, claims, and the state machine.

queued -> sending -> sent -> delivered | failed | expired, plus unknown ("may have
been sent"): a part whose PDU went to the modem without an answer. unknown is
never resent automatically; an agent decides (resend).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from modemd.store.db import Database, StoreError, iso, utc_now

TRANSITIONS: dict[str, frozenset[str]] = {
    "queued": frozenset({"sending", "failed", "expired"}),
    "sending": frozenset({"queued", "sent", "failed", "unknown"}),
    "sent": frozenset({"delivered", "failed", "expired"}),
    "delivered": frozenset(),
    "failed": frozenset({"queued"}),  # an agent's resend
    "expired": frozenset({"queued"}),
    "unknown": frozenset({"queued", "failed"}),
}


# (connection, peer, requested line) -> the line that should send it now, or None
LineChooser = Callable[[sqlite3.Connection, str, int | None], int | None]


VALIDITY_EXPIRED = 0x46  # TP-ST "SM validity period expired"


class IllegalTransition(StoreError):
    """A state change the lifecycle forbids, e.g. delivered -> queued."""


class NotFound(StoreError):
    """No such message."""


def check(message_id: int, old: str, new: str) -> None:
    if new != old and new not in TRANSITIONS[old]:
        raise IllegalTransition(f"message {message_id} cannot go from {old} to {new}")


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
    attempts: int
    parts: tuple[ClaimedPart, ...]  # the ones still to send, in order


class Outbox:
    def __init__(self, database: Database) -> None:
        self.database = database

    def enqueue(self, message: NewMessage) -> int:
        """One transaction: the message, its parts and the audit line, or nothing."""
        now = iso(utc_now())
        with self.database.write() as conn:
            cursor = conn.execute(
                "INSERT INTO messages (direction, peer, text, encoding, parts, status, line_id, "
                "requested_line, operator, created_at) "
                "VALUES ('out', ?, ?, ?, ?, 'queued', ?, ?, ?, ?)",
                (message.peer, message.text, message.encoding, len(message.parts),
                 message.requested_line, message.requested_line, message.operator, now))
            message_id = int(cursor.lastrowid or 0)
            conn.executemany(
                "INSERT INTO outbound_parts (message_id, seq, pdu, tpdu_length, status) "
                "VALUES (?, ?, ?, ?, 'queued')",
                [(message_id, seq, p.pdu, p.tpdu_length)
                 for seq, p in enumerate(message.parts, start=1)])
            audit(conn, message.operator, "send", message_id, f"to {message.peer}")
        return message_id

    def claim(self, line_id: int, choose: LineChooser) -> Claim | None:
        """Take the oldest due message this line should send; it becomes `sending`."""
        now = iso(utc_now())
        with self.database.write() as conn:
            rows = conn.execute(
                "SELECT id, peer, line_id, requested_line, attempts FROM messages "
                "WHERE direction = 'out' AND status = 'queued' "
                "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
                "ORDER BY id LIMIT 200", (now,)).fetchall()
            for message_id, peer, assigned, requested, attempts in rows:
                target = assigned or choose(conn, peer, requested)
                if target != line_id:
                    continue
                conn.execute("UPDATE messages SET status = 'sending', line_id = ?, "
                             "attempts = attempts + 1 WHERE id = ?", (line_id, message_id))
                return Claim(message_id, peer, attempts + 1, _open_parts(conn, message_id))
        return None

    def part_sending(self, part_id: int, line_id: int) -> None:
        """Committed before the PDU goes to the modem: a crash after this is `unknown`."""
        with self.database.write() as conn:
            cursor = conn.execute("UPDATE outbound_parts SET status = 'sending', line_id = ?, "
                                  "submitted_at = ? WHERE id = ? AND status = 'queued'",
                                  (line_id, iso(utc_now()), part_id))
            if cursor.rowcount == 0:
                row = conn.execute("SELECT status FROM outbound_parts WHERE id = ?",
                                   (part_id,)).fetchone()
                if row is None:
                    raise NotFound(f"no outbound part {part_id}")
                raise IllegalTransition(f"part {part_id} cannot go from {row[0]} to sending")

    def part_sent(self, message_id: int, part_id: int, mr: int | None) -> None:
        now = iso(utc_now())
        with self.database.write() as conn:
            conn.execute("UPDATE outbound_parts SET status = 'sent', mr = ?, submitted_at = ? "
                         "WHERE id = ?", (mr, now, part_id))
            left = conn.execute("SELECT COUNT(*) FROM outbound_parts WHERE message_id = ? "
                                "AND status NOT IN ('sent', 'delivered', 'failed')",
                                (message_id,)).fetchone()[0]
            if left == 0:
                _move(conn, message_id, "sent", sent_at=now, error=None)
                rollup(conn, message_id, now)  # reports may have beaten the last part

    def part_retry(self, message_id: int, part_id: int, delay: timedelta, reason: str) -> None:
        """The modem refused the part (a clear answer): queue the message again later."""
        with self.database.write() as conn:
            conn.execute("UPDATE outbound_parts SET status = 'queued', error = ? WHERE id = ?",
                         (reason, part_id))
            _move(conn, message_id, "queued", error=reason,
                  next_attempt_at=iso(utc_now() + delay))

    def part_released(self, message_id: int, part_id: int, reason: str) -> None:
        """The line cannot send (paused, SIM trouble): the part and message wait in the
        queue, for another line unless a part already went out."""
        with self.database.write() as conn:
            conn.execute("UPDATE outbound_parts SET status = 'queued', error = ? WHERE id = ?",
                         (reason, part_id))
            self.release(message_id, reason)

    def part_failed(self, message_id: int, part_id: int, reason: str) -> None:
        with self.database.write() as conn:
            conn.execute("UPDATE outbound_parts SET status = 'failed', error = ? WHERE id = ?",
                         (reason, part_id))
            _move(conn, message_id, "failed", error=reason)

    def part_unknown(self, message_id: int, part_id: int, reason: str) -> None:
        """No answer after the PDU: it may have gone out. Never resent automatically."""
        with self.database.write() as conn:
            conn.execute("UPDATE outbound_parts SET status = 'unknown', error = ? WHERE id = ?",
                         (reason, part_id))
            _move(conn, message_id, "unknown", error=reason)

    def release(self, message_id: int, reason: str) -> None:
        """The line cannot send now (paused, unplugged): back to the queue. Another line
        may take it, unless a part already went out: the rest must follow from the same
        number, or the handset cannot join the parts."""
        with self.database.write() as conn:
            row = conn.execute(
                "SELECT requested_line, line_id, (SELECT COUNT(*) FROM outbound_parts "
                "WHERE message_id = ?1 AND status != 'queued') FROM messages WHERE id = ?1",
                (message_id,)).fetchone()
            requested, current, started = row if row else (None, None, 0)
            _move(conn, message_id, "queued", error=reason,
                  line_id=current if started else requested)

    def recover_interrupted(self) -> list[int]:
        """At start-up: a part left `sending` may have gone out -> unknown. A message
        interrupted between parts (none ambiguous) resumes its remaining parts."""
        with self.database.write() as conn:
            ambiguous = [r[0] for r in conn.execute(
                "SELECT DISTINCT message_id FROM outbound_parts WHERE status = 'sending'")]
            conn.execute("UPDATE outbound_parts SET status = 'unknown', error = "
                         "'interrupted after the PDU was written' WHERE status = 'sending'")
            for message_id in ambiguous:
                _move(conn, message_id, "unknown",
                      error="interrupted after the PDU was written: may have been sent")
            resumed = [r[0] for r in conn.execute(
                "SELECT id FROM messages WHERE direction = 'out' AND status = 'sending'")]
            for message_id in resumed:
                self.release(message_id, "resumed after a restart")
        return ambiguous

    def resend(self, message_id: int, operator: str) -> None:
        """An agent's decision: send a failed/unknown/expired message again (its unsent
        and unknown parts, with the same concatenation reference)."""
        with self.database.write() as conn:
            row = conn.execute("SELECT status FROM messages WHERE id = ? AND direction = 'out'",
                               (message_id,)).fetchone()
            if row and row[0] not in ("failed", "unknown", "expired"):
                raise IllegalTransition(
                    f"message {message_id} cannot go from {row[0]} to queued: only failed, "
                    "unknown or expired messages can be resent")
            _move(conn, message_id, "queued", error=None, next_attempt_at=None)
            conn.execute("UPDATE outbound_parts SET status = 'queued', mr = NULL, error = NULL "
                         "WHERE message_id = ? AND status IN ('failed', 'unknown', 'queued')",
                         (message_id,))
            audit(conn, operator, "resend", message_id, None)

    def depth(self, line_id: int | None = None) -> int:
        row = self.database.one(
            "SELECT COUNT(*) AS n FROM messages WHERE direction = 'out' "
            "AND status IN ('queued', 'sending') "
            "AND (?1 IS NULL OR line_id = ?1)", (line_id,))
        return int(row["n"]) if row else 0


def _open_parts(conn, message_id: int) -> tuple[ClaimedPart, ...]:
    rows = conn.execute("SELECT id, seq, pdu, tpdu_length, status FROM outbound_parts "
                        "WHERE message_id = ? AND status = 'queued' ORDER BY seq",
                        (message_id,)).fetchall()
    return tuple(ClaimedPart(*row) for row in rows)


def _move(conn, message_id: int, new: str, **columns: object) -> None:
    row = conn.execute("SELECT status FROM messages WHERE id = ? AND direction = 'out'",
                       (message_id,)).fetchone()
    if row is None:
        raise NotFound(f"no outbound message {message_id}: check the id with `modemd outbox`")
    check(message_id, row[0], new)
    columns["status"] = new
    assignments = ", ".join(f"{k} = ?" for k in columns)
    conn.execute(f"UPDATE messages SET {assignments} WHERE id = ?",
                 (*columns.values(), message_id))


def audit(conn, operator: str, action: str, message_id: int | None,
          detail: str | None) -> None:
    conn.execute("INSERT INTO audit (at, operator, action, message_id, detail) "
                 "VALUES (?, ?, ?, ?, ?)", (iso(utc_now()), operator, action, message_id, detail))


def rollup(conn: sqlite3.Connection, message_id: int, now: str | None) -> None:
    """A sent message is delivered when every part is; failed when one fails (expired when
    that part's report said the validity period ran out)."""
    current, = conn.execute("SELECT status FROM messages WHERE id = ?", (message_id,)).fetchone()
    if current != "sent":
        return
    counts = dict(conn.execute("SELECT status, COUNT(*) FROM outbound_parts "
                               "WHERE message_id = ? GROUP BY status", (message_id,)))
    if counts.get("failed"):
        error, report_status = conn.execute(
            "SELECT error, report_status FROM outbound_parts WHERE message_id = ? AND "
            "status = 'failed' ORDER BY seq LIMIT 1", (message_id,)).fetchone()
        new = "expired" if report_status == VALIDITY_EXPIRED else "failed"
        check(message_id, current, new)
        conn.execute("UPDATE messages SET status = ?, error = ? WHERE id = ?",
                     (new, error, message_id))
    elif set(counts) == {"delivered"}:
        check(message_id, current, "delivered")
        conn.execute("UPDATE messages SET status = 'delivered', delivered_at = ?, error = NULL "
                     "WHERE id = ?", (now, message_id))
