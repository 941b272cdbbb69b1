"""What agents see: message objects in the JSON the README documents, threads, lines."""

from __future__ import annotations

import sqlite3

from modemd.store.db import Database
from modemd.store.keywords import keyword
from modemd.store.states import IN_QUEUE, OutboundStatus, sql_list

MESSAGE_FIELDS = ("id", "direction", "peer", "contact", "line", "text", "status", "parts",
                  "encoding", "operator", "created_at", "scheduled_for", "sent_at",
                  "delivered_at", "error")
_SELECT = ("SELECT m.*, COALESCE(l.own_number, l.name, l.imsi) AS line, c.name AS contact "
           "FROM messages m LEFT JOIN lines l ON l.id = m.line_id "
           "LEFT JOIN contacts c ON c.peer = m.peer")
_LINES = (f"SELECT l.*, (SELECT COUNT(*) FROM messages m WHERE m.line_id = l.id AND "
          f"m.direction = 'out' AND m.status IN {sql_list(IN_QUEUE)}) AS queue_depth "
          f"FROM lines l")
_AUDIT = ("SELECT a.id, a.at, a.operator, a.action, COALESCE(a.peer, m.peer) AS peer, "
          "c.name AS contact, a.message_id, a.detail FROM audit a "
          "LEFT JOIN messages m ON m.id = a.message_id "
          "LEFT JOIN contacts c ON c.peer = COALESCE(a.peer, m.peer)")


def message_object(row: dict) -> dict:
    """The contract's keys, every one present (null when unknown). An inbound message
    that is a keyword says which ("stop", "start", "help": agents answer HELP)."""
    shown = {key: row.get(key) for key in MESSAGE_FIELDS}
    if row.get("direction") == "in":
        shown["parts_received"] = row.get("parts_received")
        shown["read_at"] = row.get("read_at")
        shown["keyword"] = keyword(row.get("text") or "")
    return shown


def message_on(conn: sqlite3.Connection, message_id: int) -> dict | None:
    """A message object read inside the caller's transaction (for an event)."""
    row = _row(conn, f"{_SELECT} WHERE m.id = ?", message_id)
    return None if row is None else message_object(row)


def line_object(row: dict | None) -> dict | None:
    """A line as agents, events and the API see it: less the rejected PIN's hash (a
    4-digit PIN's hash is as good as the PIN)."""
    if row is None:
        return None
    return {key: value for key, value in row.items() if key != "pin_rejected_hash"}


def line_on(conn: sqlite3.Connection, line_id: int) -> dict | None:
    """A line object as `status --json` shows it, inside the caller's transaction."""
    return line_object(_row(conn, f"{_LINES} WHERE l.id = ?", line_id))


def _row(conn: sqlite3.Connection, sql: str, key: int) -> dict | None:
    cursor = conn.execute(sql, (key,))
    row = cursor.fetchone()
    return None if row is None else dict(zip([d[0] for d in cursor.description], row,
                                             strict=True))


class Views:
    def __init__(self, database: Database) -> None:
        self.database = database

    def messages(self, direction: str, *, limit: int = 50, peer: str | None = None,
                 status: str | None = None, unread: bool = False) -> list[dict]:
        """Newest first. unread: only inbound messages no agent has read (opened the
        thread of) yet."""
        rows = self.database.query(
            f"{_SELECT} WHERE m.direction = ?1 AND (?2 IS NULL OR m.peer = ?2) "
            "AND (?3 IS NULL OR m.status = ?3) "
            "AND (?5 = 0 OR (m.direction = 'in' AND m.read_at IS NULL)) "
            "ORDER BY m.id DESC LIMIT ?4",
            (direction, peer, status, limit, int(unread)))
        return [message_object(row) for row in rows]

    def thread(self, peer: str, limit: int = 100) -> list[dict]:
        """Both directions with one contact: the newest limit of them, oldest first, as
        a conversation reads."""
        rows = self.database.query(
            f"SELECT * FROM ({_SELECT} WHERE m.peer = ? ORDER BY m.created_at DESC, m.id DESC "
            "LIMIT ?) ORDER BY created_at, id", (peer, limit))
        return [message_object(row) for row in rows]

    def message(self, message_id: int) -> dict | None:
        """One message with its parts and (outbound) delivery reports, as of one moment."""
        with self.database.snapshot():
            return self._message(message_id)

    def _message(self, message_id: int) -> dict | None:
        row = self.database.one(f"{_SELECT} WHERE m.id = ?", (message_id,))
        if row is None:
            return None
        shown = message_object(row)
        if row["direction"] == "out":
            shown["part_list"] = self.database.query(
                "SELECT seq, status, mr, submitted_at, report_status, reported_at, error "
                "FROM outbound_parts WHERE message_id = ? ORDER BY seq", (message_id,))
            shown["reports"] = self.database.query(
                "SELECT r.mr, r.recipient, r.status, r.outcome, r.discharge_time, r.received_at, "
                "p.seq FROM reports r JOIN outbound_parts p ON p.id = r.part_id "
                "WHERE p.message_id = ? ORDER BY r.id", (message_id,))
        else:
            shown["part_list"] = self.database.query(
                "SELECT seq, total, reference, wide, received_at, smsc_time FROM inbound_parts "
                "WHERE message_id = ? ORDER BY seq", (message_id,))
        return shown

    def lines(self) -> list[dict]:
        return [line_object(row) or {} for row in
                self.database.query(f"{_LINES} ORDER BY l.id")]

    def unassigned_queue(self) -> int:
        row = self.database.one("SELECT COUNT(*) AS n FROM messages WHERE direction = 'out' "
                                "AND status = ? AND line_id IS NULL", (OutboundStatus.QUEUED,))
        return int(row["n"]) if row else 0

    def quarantine(self, limit: int = 50) -> list[dict]:
        return self.database.query("SELECT q.id, q.line_id, q.pdu, q.reason, q.received_at "
                                   "FROM quarantine q ORDER BY q.id DESC LIMIT ?", (limit,))

    def audit(self, *, peer: str | None = None, operator: str | None = None,
              limit: int = 50) -> list[dict]:
        """Who did what and when, newest first."""
        return self.database.query(
            f"SELECT * FROM ({_AUDIT}) WHERE (?1 IS NULL OR peer = ?1) "
            "AND (?2 IS NULL OR operator = ?2) ORDER BY id DESC LIMIT ?3",
            (peer, operator, limit))

    def orphan_reports(self, limit: int = 50) -> list[dict]:
        return self.database.query("SELECT * FROM reports WHERE part_id IS NULL "
                                   "ORDER BY id DESC LIMIT ?", (limit,))
