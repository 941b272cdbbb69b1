"""The database file: pragmas, named migrations applied once, atomic writes, concurrency."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from modemd.store import Store, StoreError
from modemd.store.db import BUSY_TIMEOUT_MS

from .helpers import CUSTOMER, add_line, queue


def pragma(store: Store, name: str):
    return store.database.db.conn.execute(f"PRAGMA {name}").fetchone()[0]


def test_wal_full_sync_busy_timeout_and_foreign_keys(store: Store) -> None:
    assert pragma(store, "journal_mode") == "wal"
    assert pragma(store, "synchronous") == 2  # FULL
    assert pragma(store, "busy_timeout") == BUSY_TIMEOUT_MS > 0
    assert pragma(store, "foreign_keys") == 1


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError), store.database.write() as conn:
        conn.execute("INSERT INTO outbound_parts (message_id, seq, pdu, tpdu_length, status) "
                     "VALUES (999, 1, '00', 1, 'queued')")


def test_migrations_are_recorded_by_name(store: Store) -> None:
    rows = store.database.query("SELECT migration_set, name FROM _sqlite_migrations")
    assert rows == [{"migration_set": "modemd", "name": "0001_initial"},
                    {"migration_set": "modemd", "name": "0002_checked_states"},
                    {"migration_set": "modemd", "name": "0003_daemon_runs"},
                    {"migration_set": "modemd", "name": "0004_desk"},
                    {"migration_set": "modemd", "name": "0005_desk_live"},
                    {"migration_set": "modemd", "name": "0006_integrations"}]
    assert {"lines", "messages", "outbound_parts", "inbound_parts", "reports", "quarantine",
            "audit", "optouts", "contacts", "claims",
            "events"} <= set(store.database.db.table_names())


def test_reopening_applies_nothing_twice_and_keeps_data(
        open_store: Callable[[], Store]) -> None:
    first = open_store()
    tables = sorted(first.database.db.table_names())
    message_id = queue(first)
    first.close()
    second = open_store()
    third = open_store()  # while the second is still open
    for again in (second, third):
        assert sorted(again.database.db.table_names()) == tables
        assert again.database.query("SELECT name FROM _sqlite_migrations") == [
            {"name": "0001_initial"}, {"name": "0002_checked_states"},
            {"name": "0003_daemon_runs"}, {"name": "0004_desk"},
                {"name": "0005_desk_live"}, {"name": "0006_integrations"}]
        assert again.views.message(message_id)["text"] == "hello"


def test_an_unusable_path_is_a_store_error_saying_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StoreError, match="--db"):
        Store(tmp_path / "file" / "m.db")


def test_write_rolls_back_on_an_exception(store: Store) -> None:
    with pytest.raises(RuntimeError), store.database.write() as conn:
        conn.execute("INSERT INTO audit (at, operator, action) VALUES ('t', 'x', 'y')")
        raise RuntimeError("boom")
    assert store.database.query("SELECT * FROM audit") == []
    assert not store.database.db.conn.in_transaction
    with store.database.write() as conn:  # and the connection is usable afterwards
        conn.execute("INSERT INTO audit (at, operator, action) VALUES ('t', 'x', 'y')")
    assert len(store.database.query("SELECT * FROM audit")) == 1


def test_a_nested_write_joins_the_outer_transaction(store: Store) -> None:
    with pytest.raises(RuntimeError), store.database.write() as outer:
        outer.execute("INSERT INTO audit (at, operator, action) VALUES ('t', 'outer', 'y')")
        with store.database.write() as inner:
            inner.execute("INSERT INTO audit (at, operator, action) VALUES ('t', 'inner', 'y')")
        raise RuntimeError("after the inner block")
    assert store.database.query("SELECT * FROM audit") == []


def test_writes_take_the_write_lock_up_front(open_store: Callable[[], Store]) -> None:
    """BEGIN IMMEDIATE: while one Store writes, another's write waits (no half-done reads)."""
    first, second = open_store(), open_store()
    with first.database.write():
        probe = sqlite3.connect(str(first.database.path), timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            probe.execute("BEGIN IMMEDIATE")
        probe.close()
    with second.database.write() as conn:
        conn.execute("INSERT INTO audit (at, operator, action) VALUES ('t', 'x', 'y')")


def test_two_stores_in_two_threads_write_concurrently_without_locked_errors(
        open_store: Callable[[], Store]) -> None:
    stores = [open_store(), open_store()]
    errors: list[BaseException] = []
    start = threading.Barrier(len(stores))

    def writer(store: Store, who: str) -> None:
        start.wait()
        try:
            for n in range(40):
                queue(store, f"{who} {n}", operator=who)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(s, f"agent{i}"))
               for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert stores[0].outbox.depth() == 80
    assert len(stores[1].database.query("SELECT id FROM audit")) == 80


def test_two_workers_on_two_connections_claim_each_message_exactly_once(
        open_store: Callable[[], Store]) -> None:
    setup = open_store()
    lines = [add_line(setup, 1), add_line(setup, 2)]
    ids = {queue(setup, f"m{n}", to=CUSTOMER) for n in range(30)}
    claimed: dict[int, list[int]] = {line: [] for line in lines}
    errors: list[BaseException] = []
    start = threading.Barrier(len(lines))

    def worker(line_id: int) -> None:
        store = open_store()

        def anyone(conn, peer, requested):  # every line may take every message
            return line_id

        start.wait()
        try:
            while (claim := store.outbox.claim(line_id, anyone)) is not None:
                claimed[line_id].append(claim.message_id)
                for part in claim.parts:
                    store.outbox.part_sending(part.id, line_id)
                    store.outbox.part_sent(claim.message_id, part.id, part.id % 256, attempt=True)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(line,)) for line in lines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    everything = claimed[lines[0]] + claimed[lines[1]]
    assert sorted(everything) == sorted(ids)  # each once, none lost
    assert {r["status"] for r in setup.database.query(
        "SELECT status FROM messages")} == {"sent"}


def test_one_store_shared_by_threads(store: Store) -> None:
    errors: list[BaseException] = []

    def writer(who: str) -> None:
        try:
            for n in range(25):
                queue(store, f"{who} {n}", operator=who)
                store.views.messages("out", limit=5)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert store.outbox.depth() == 100


def test_opening_a_fresh_database_concurrently(tmp_path: Path) -> None:
    """The daemon starting while an agent runs `modemd send` on a new install."""
    failures: list[str] = []
    for trial in range(5):
        path = tmp_path / f"fresh{trial}.db"
        start = threading.Barrier(4)

        def opener(path: Path = path, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                Store(path).close()
            except StoreError as error:
                failures.append(str(error))

        threads = [threading.Thread(target=opener) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert failures == []


def test_the_real_error_surfaces_when_sqlite_already_rolled_back(store: Store) -> None:
    store.database.db.conn.execute(  # stands in for SQLITE_FULL, which aborts the transaction
        "CREATE TEMP TRIGGER full BEFORE INSERT ON audit "
        "BEGIN SELECT RAISE(ROLLBACK, 'database or disk is full'); END")
    with pytest.raises(sqlite3.IntegrityError, match="disk is full"), \
            store.database.write() as conn:
        conn.execute("INSERT INTO audit (at, operator, action) VALUES ('t', 'x', 'y')")
