"""Lines (SIMs) and the modems they sit in, keyed by identity — never by tty."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from modemd.store.db import Database, iso, utc_now
from modemd.store.events import record
from modemd.store.outbound import LineChooser
from modemd.store.pacing import queue_load
from modemd.store.states import EventKind, LineState, PauseCause
from modemd.store.transitions import audit


@dataclass(frozen=True)
class LineIdentity:
    iccid: str | None
    imsi: str | None
    imei: str | None
    own_number: str | None = None
    manufacturer: str | None = None
    model: str | None = None


class Lines:
    def __init__(self, database: Database) -> None:
        self.database = database

    def register(self, identity: LineIdentity, *, name: str | None, port: str) -> int:
        """The line's id: found by ICCID, else IMSI, else IMEI; created when new."""
        now = iso(utc_now())
        with self.database.write() as conn:
            row = self._find(conn, identity)
            fields = {"iccid": identity.iccid, "imsi": identity.imsi, "imei": identity.imei,
                      "own_number": identity.own_number, "manufacturer": identity.manufacturer,
                      "model": identity.model, "name": name, "port": port, "last_seen_at": now}
            if row is None:
                cursor = conn.execute(
                    f"INSERT INTO lines ({', '.join(fields)}, first_seen_at) "
                    f"VALUES ({', '.join('?' * len(fields))}, ?)", (*fields.values(), now))
                return int(cursor.lastrowid or 0)
            kept = {k: v for k, v in fields.items() if v is not None}
            conn.execute(f"UPDATE lines SET {', '.join(f'{k} = ?' for k in kept)} WHERE id = ?",
                         (*kept.values(), row))
            return row

    @staticmethod
    def _find(conn, identity: LineIdentity) -> int | None:
        for column in ("iccid", "imsi", "imei"):
            value = getattr(identity, column)
            if value:
                found = conn.execute(
                    f"SELECT id FROM lines WHERE {column} = ?1 "
                    "AND (?2 IS NULL OR iccid IS NULL OR iccid = ?2) "
                    "AND (?3 IS NULL OR imsi IS NULL OR imsi = ?3) "
                    "ORDER BY last_seen_at DESC, id DESC LIMIT 1",
                    (value, identity.iccid, identity.imsi)).fetchone()
                if found:
                    return int(found[0])
        return None

    def set_state(self, line_id: int, state: LineState, reason: str | None = None,
                  cause: PauseCause | None = None) -> None:
        """What the line's worker says it is (the worker's machine checks the move); a
        new state or reason is an event."""
        with self.database.write() as conn:
            before = conn.execute("SELECT state, reason FROM lines WHERE id = ?",
                                  (line_id,)).fetchone()
            conn.execute("UPDATE lines SET state = ?, reason = ?, pause_cause = ?, "
                         "last_seen_at = ? WHERE id = ?",
                         (state, reason, cause, iso(utc_now()), line_id))
            if before is not None and tuple(before) != (state, reason):
                record(conn, EventKind.LINE, line_id=line_id)

    def request_resume(self, line_id: int, operator: str) -> str | None:
        """An agent says what paused the line is fixed; its worker resumes when it sees
        this. The pause's cause, or None when the line was not paused."""
        with self.database.write() as conn:
            row = conn.execute("SELECT state, pause_cause FROM lines WHERE id = ?",
                               (line_id,)).fetchone()
            conn.execute("UPDATE lines SET resume_requested_at = ? WHERE id = ?",
                         (iso(utc_now()), line_id))
            audit(conn, operator, "resume", None, f"line {line_id}")
        return row[1] if row and row[0] == LineState.PAUSED else None

    def resume_requested(self, line_id: int, since: str | None) -> bool:
        """Has an agent asked to resume the line after `since` (ISO time)?"""
        row = self.database.one("SELECT resume_requested_at FROM lines WHERE id = ?",
                                (line_id,))
        asked = row["resume_requested_at"] if row else None
        return asked is not None and (since is None or asked >= since)

    def set_radio(self, line_id: int, *, signal: int | None, registration: int | None,
                  operator: str | None) -> None:
        with self.database.write() as conn:
            conn.execute("UPDATE lines SET signal = ?, registration = ?, operator = ?, "
                         "last_seen_at = ? WHERE id = ?",
                         (signal, registration, operator, iso(utc_now()), line_id))

    def pin_rejected(self, iccid: str | None, pin: str) -> bool:
        """Did this SIM reject this very PIN before (across restarts)? A changed PIN in
        the configuration gets its one try."""
        if not iccid:
            return False
        row = self.database.one("SELECT pin_rejected_hash FROM lines WHERE iccid = ?", (iccid,))
        return bool(row and row["pin_rejected_hash"] == _pin_hash(iccid, pin))

    def record_pin_rejected(self, line_id: int, iccid: str | None, pin: str) -> None:
        with self.database.write() as conn:
            conn.execute("UPDATE lines SET pin_rejected_at = ?, pin_rejected_hash = ? "
                         "WHERE id = ?", (iso(utc_now()), _pin_hash(iccid or "", pin), line_id))

    def healthy(self) -> list[int]:
        return [r["id"] for r in self.database.query(
            "SELECT id FROM lines WHERE state = ? ORDER BY id", (LineState.OK,))]

    def resolve(self, selector: str) -> int | None:
        """A line by id, name, own number, ICCID or IMSI (what `--line` accepts)."""
        row = self.database.one(
            "SELECT id FROM lines WHERE CAST(id AS TEXT) = ?1 OR name = ?1 OR own_number = ?1 "
            "OR iccid = ?1 OR imsi = ?1 ORDER BY id LIMIT 1", (selector,))
        return int(row["id"]) if row else None

    def all(self) -> list[dict]:
        return self.database.query("SELECT * FROM lines ORDER BY id")


def _pin_hash(iccid: str, pin: str) -> str:
    """Remember which PIN failed without storing the PIN."""
    import hashlib  # noqa: PLC0415  (OpenSSL's: a few ms that agent commands never need)

    return hashlib.sha256(f"{iccid}:{pin}".encode()).hexdigest()


def chooser(healthy: list[int], asking: int | None = None) -> LineChooser:
    """--line if the agent gave one (it waits for that line); else the line this contact
    last talked to, so the customer sees one number; else the least busy healthy line —
    the asking line itself when none is less busy, so idle lines never wait on each other."""

    def choose(conn: sqlite3.Connection, peer: str, requested: int | None) -> int | None:
        if requested is not None:
            return requested
        sticky = conn.execute(
            "SELECT line_id FROM messages WHERE peer = ? AND line_id IS NOT NULL "
            "ORDER BY created_at DESC, id DESC LIMIT 1", (peer,)).fetchone()
        if sticky and sticky[0] in healthy:
            return int(sticky[0])
        return _least_busy(conn, healthy, asking)

    return choose


def _least_busy(conn: sqlite3.Connection, healthy: list[int],
                asking: int | None) -> int | None:
    if not healthy:
        return None
    load = queue_load(conn)
    best = min(healthy, key=lambda line: (load.get(line, 0), line))
    if asking in healthy and load.get(asking, 0) <= load.get(best, 0):
        return asking
    return best
