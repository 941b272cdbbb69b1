"""Delivery reports: matched per part on (line, MR, recipient), newest first, within a
window (MR wraps at 256); unmatched ones are kept. Messages roll up from their parts."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import TYPE_CHECKING

from modemd.store.db import Database, iso, utc_now
from modemd.store.inbound import fingerprint
from modemd.store.states import OutboundStatus, PartStatus
from modemd.store.transitions import move_part, rollup

if TYPE_CHECKING:
    from modemd.sms import StatusReport

MATCH_WINDOW = timedelta(days=3)


def digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())


class Reports:
    def __init__(self, database: Database) -> None:
        self.database = database

    def record(self, line_id: int, pdu: str, report: StatusReport) -> int | None:
        """Store the report; the id of the part it matched (None: kept as an orphan)."""
        now = utc_now()
        with self.database.write() as conn:
            part = _match(conn, line_id, report, iso(now - MATCH_WINDOW))
            cursor = conn.execute(
                "INSERT OR IGNORE INTO reports (line_id, part_id, fingerprint, mr, recipient, "
                "status, outcome, discharge_time, pdu, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (line_id, part[0] if part else None, fingerprint(line_id, pdu),
                 report.message_reference, report.recipient.number, report.status,
                 report.outcome, iso(report.discharge_time), pdu.strip().upper(), iso(now)))
            if not cursor.rowcount or part is None:
                return None  # a duplicate, or nothing to match: kept, nothing changes
            _apply(conn, part, report, iso(now))
            return part[0]

    def overdue(self, deadline: timedelta) -> int:
        """Parts sent longer ago than deadline without a final report: delivery unknown
        (not failed: the handset may simply not report)."""
        cutoff = iso(utc_now() - deadline)
        with self.database.write() as conn:
            cursor = conn.execute(
                "UPDATE messages SET error = 'delivery unknown: no final report in time' "
                "WHERE direction = 'out' AND status = ? AND error IS NULL AND id IN "
                "(SELECT message_id FROM outbound_parts WHERE status = ? "
                "AND submitted_at < ?)", (OutboundStatus.SENT, PartStatus.SENT, cutoff))
            return cursor.rowcount


def _match(conn: sqlite3.Connection, line_id: int, report: StatusReport,
           since: str | None) -> tuple[int, int] | None:
    rows = conn.execute(
        "SELECT p.id, p.message_id, m.peer FROM outbound_parts p "
        "JOIN messages m ON m.id = p.message_id WHERE p.line_id = ? AND p.mr = ? "
        "AND p.status = ? AND p.submitted_at >= ? ORDER BY p.submitted_at DESC, p.id DESC",
        (line_id, report.message_reference, PartStatus.SENT, since)).fetchall()
    wanted = digits(report.recipient.number)
    for part_id, message_id, peer in rows:
        peer_digits = digits(peer)
        # the SC may report the number nationally: compare the significant tail
        if wanted and (peer_digits.endswith(wanted) or wanted.endswith(peer_digits)):
            return part_id, message_id
    return None


def _apply(conn: sqlite3.Connection, part: tuple[int, int], report: StatusReport,
           now: str | None) -> None:
    from modemd.sms import ReportOutcome  # noqa: PLC0415  (the codec: the daemon's, not the CLI's)

    part_id, message_id = part
    outcome = report.outcome
    if outcome is ReportOutcome.PENDING:
        conn.execute("UPDATE outbound_parts SET report_status = ?, reported_at = ? WHERE id = ?",
                     (report.status, now, part_id))
        return
    delivered = outcome is ReportOutcome.DELIVERED
    move_part(conn, part_id, PartStatus.DELIVERED if delivered else PartStatus.FAILED,
              report_status=report.status, reported_at=now,
              error=None if delivered else f"report TP-ST 0x{report.status:02X}")
    rollup(conn, message_id, now)
