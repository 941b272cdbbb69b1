"""The tables whose CHECK constraints come from the state enums, and rebuilding a table
to a new definition (SQLite cannot add a constraint to an existing table)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from modemd.store.states import (
    InboundStatus,
    LineState,
    OutboundStatus,
    PartStatus,
    PauseCause,
    sql_list,
)

if TYPE_CHECKING:
    import sqlite_utils

LINES = f"""
CREATE TABLE lines (
    id INTEGER PRIMARY KEY,
    iccid TEXT UNIQUE, imsi TEXT, imei TEXT, own_number TEXT,
    name TEXT, port TEXT, manufacturer TEXT, model TEXT,
    state TEXT NOT NULL DEFAULT '{LineState.INITIALIZING}'
        CHECK (state IN {sql_list(LineState)}),
    reason TEXT,
    pause_cause TEXT CHECK (pause_cause IS NULL OR pause_cause IN {sql_list(PauseCause)}),
    resume_requested_at TEXT,
    signal INTEGER, registration INTEGER, operator TEXT,
    pin_rejected_at TEXT, pin_rejected_hash TEXT,
    first_seen_at TEXT NOT NULL, last_seen_at TEXT NOT NULL
)"""

MESSAGES = f"""
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    peer TEXT NOT NULL, peer_type INTEGER,
    line_id INTEGER REFERENCES lines(id), requested_line INTEGER REFERENCES lines(id),
    text TEXT NOT NULL, encoding TEXT,
    status TEXT NOT NULL CHECK (
        (direction = 'out' AND status IN {sql_list(OutboundStatus)})
        OR (direction = 'in' AND status IN {sql_list(InboundStatus)})),
    parts INTEGER NOT NULL, parts_received INTEGER,
    reference INTEGER, wide INTEGER,
    operator TEXT, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT,
    created_at TEXT NOT NULL, sent_at TEXT, delivered_at TEXT, smsc_time TEXT,
    error TEXT,
    scheduled_for TEXT,  -- `send --at`: when it joins the queue
    read_at TEXT,  -- inbound: when an agent opened the thread
    new_contact INTEGER NOT NULL DEFAULT 0  -- outbound: the first text either way (pace)
)"""

OUTBOUND_PARTS = f"""
CREATE TABLE outbound_parts (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id),
    seq INTEGER NOT NULL, pdu TEXT NOT NULL, tpdu_length INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN {sql_list(PartStatus)}),
    line_id INTEGER REFERENCES lines(id), mr INTEGER,
    submitted_at TEXT, payload_at TEXT,
    report_status INTEGER, reported_at TEXT, error TEXT,
    UNIQUE (message_id, seq)
)"""


def rebuild(db: sqlite_utils.Database, tables: dict[str, str]) -> None:
    """Recreate each table from its CREATE statement, keeping rows and indexes, in one
    transaction (SQLite's documented 12-step way: foreign keys off meanwhile)."""
    conn = db.conn
    conn.execute("PRAGMA foreign_keys=OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        for name, create in tables.items():
            _rebuild_one(conn, name, create)
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise sqlite3.IntegrityError(f"foreign keys broken: {broken[:5]}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA foreign_keys=ON")


def _rebuild_one(conn: sqlite3.Connection, name: str, create: str) -> None:
    indexes = [sql for (sql,) in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL", (name,))]
    old = {row[1] for row in conn.execute(f"PRAGMA table_info({name})")}
    conn.execute(create.replace(f"CREATE TABLE {name} (", f"CREATE TABLE _new_{name} (", 1))
    new = [row[1] for row in conn.execute(f"PRAGMA table_info(_new_{name})")]
    common = ", ".join(column for column in new if column in old)
    conn.execute(f"INSERT INTO _new_{name} ({common}) SELECT {common} FROM {name}")
    conn.execute(f"DROP TABLE {name}")
    conn.execute(f"ALTER TABLE _new_{name} RENAME TO {name}")
    for sql in indexes:
        conn.execute(sql)
