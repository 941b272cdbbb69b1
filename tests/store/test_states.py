"""The state machines' tables, and the schema's CHECK constraints made from the same enums."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from modemd.store import Store
from modemd.store.migrations import MIGRATIONS
from modemd.store.states import (
    INBOUND_TRANSITIONS,
    LINE_TRANSITIONS,
    OUTBOUND_TRANSITIONS,
    PART_TRANSITIONS,
    InboundStatus,
    LineState,
    OutboundStatus,
    PartStatus,
)

from .helpers import add_line, queue

TABLES = [(OUTBOUND_TRANSITIONS, OutboundStatus), (PART_TRANSITIONS, PartStatus),
          (INBOUND_TRANSITIONS, InboundStatus), (LINE_TRANSITIONS, LineState)]


@pytest.mark.parametrize(("table", "enum"), TABLES)
def test_every_state_has_a_row_and_every_move_names_a_state(table, enum) -> None:
    assert set(table) == set(enum)
    assert all(targets <= set(enum) for targets in table.values())


def test_every_outbound_state_is_reachable_from_a_new_message() -> None:
    new = {OutboundStatus.QUEUED, OutboundStatus.SCHEDULED}  # `send`, `send --at`
    seen, frontier = set(new), list(new)
    while frontier:
        for target in OUTBOUND_TRANSITIONS[frontier.pop()] - seen:
            seen.add(target)
            frontier.append(target)
    assert seen == set(OutboundStatus)


@pytest.mark.parametrize(("sql", "values"), [
    ("UPDATE messages SET status = ? WHERE direction = 'out'", ("received",)),
    ("UPDATE messages SET status = ? WHERE direction = 'out'", ("shipped",)),
    ("UPDATE outbound_parts SET status = ?", ("incomplete",)),
    ("UPDATE lines SET state = ?", ("pin-rejected",)),
    ("UPDATE lines SET pause_cause = ?", ("bored",)),
])
def test_the_schema_refuses_a_status_word_no_enum_has(store: Store, sql, values) -> None:
    line = add_line(store, 1)
    queue(store, line=line)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"), store.database.write() as conn:
        conn.execute(sql, values)


def test_a_database_from_before_the_checks_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    MIGRATIONS.apply(old, stop_before="0002_checked_states")
    old.execute("INSERT INTO lines (iccid, state, first_seen_at, last_seen_at) "
                "VALUES ('89', 'ok', 't', 't')")
    old.execute("INSERT INTO messages (direction, peer, line_id, text, status, parts, "
                "created_at) VALUES ('out', '+12015550123', 1, 'hi', 'sent', 1, 't')")
    old.execute("INSERT INTO outbound_parts (message_id, seq, pdu, tpdu_length, status, mr) "
                "VALUES (1, 1, '00', 1, 'sent', 7)")
    old.conn.commit()
    old.close()

    store = Store(path)
    assert store.database.query("SELECT id, text, status FROM messages") == [
        {"id": 1, "text": "hi", "status": "sent"}]
    assert store.database.query("SELECT mr, payload_at FROM outbound_parts") == [
        {"mr": 7, "payload_at": None}]
    assert store.database.query("SELECT state, pause_cause FROM lines") == [
        {"state": "ok", "pause_cause": None}]
    indexes = {row["name"] for row in store.database.query(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"messages_due", "messages_thread", "parts_by_mr"} <= indexes
    assert store.database.query("PRAGMA foreign_key_check") == []
    store.close()
