"""A database that cannot be used is refused with a StoreError saying what, why and what
to do, and its folder is left exactly as it was; a full disk is StoreFull with nothing
half-written; one daemon per database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from modemd.store import (
    DaemonLock,
    Store,
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreInUse,
    StoreLocked,
    StoreMissing,
    StoreReadOnly,
    StoreTooNew,
)
from modemd.store.db import Database

from .dbfiles import (
    EXCLUSIVE_FILE,
    EXCLUSIVE_WRITER,
    counts,
    damage_root_page,
    fill,
    held,
    integrity,
    make_database,
    mark_newer,
    small_disk,
    snapshot,
    write_garbage,
)
from .helpers import queue


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> float:
    """The busy timeout at 0.3 s so lock tests do not wait 10 s each."""
    monkeypatch.setattr("modemd.store.opening.BUSY_TIMEOUT_MS", 300)
    return 0.3


def refused(path: Path, error: type[StoreError], match: str, **options: bool) -> str:
    """Opening path raises error matching match and leaves its folder as it was."""
    before = snapshot(path.parent)
    with pytest.raises(error, match=match) as caught:
        Database(path, **options)
    assert snapshot(path.parent) == before
    return str(caught.value)


# ---- refused at opening, nothing touched -------------------------------------------------


def test_a_read_only_file_is_refused_naming_its_mode(tmp_path: Path) -> None:
    path = make_database(tmp_path / "m.db")
    path.chmod(0o444)
    message = refused(path, StoreReadOnly, r"read-only \(mode 0444\)", verify=True)
    assert "make it writable" in message and "--db" in message


def test_a_read_only_wal_beside_it_is_refused(tmp_path: Path) -> None:
    path = make_database(tmp_path / "m.db")
    Path(f"{path}-wal").write_bytes(b"")
    Path(f"{path}-wal").chmod(0o444)
    refused(path, StoreReadOnly, r"m.db-wal is read-only")


def test_a_folder_that_is_not_writable_is_refused(tmp_path: Path) -> None:
    path = make_database(tmp_path / "folder" / "m.db")
    path.parent.chmod(0o555)
    try:
        message = refused(path, StoreReadOnly, r"folder .* is not writable \(mode 0555\)")
        assert "-wal and -shm" in message
        with pytest.raises(StoreReadOnly, match="not writable"):  # nor a new one in it
            Database(path.parent / "new.db")
        assert not (path.parent / "new.db").exists()
    finally:
        path.parent.chmod(0o755)


def test_a_missing_database_is_not_created_where_only_reading(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "m.db"
    with pytest.raises(StoreMissing, match="`modemd run` or `modemd send` creates one"):
        Store(path, create=False)
    assert list(tmp_path.iterdir()) == []
    Store(path).close()  # where creating is allowed, folders and all
    assert path.is_file()


def test_an_empty_file_is_no_database_to_readers_and_a_new_one_to_send(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    path.touch()  # what a maker that died before writing leaves
    refused(path, StoreMissing, "there is no database at", create=False)
    Store(path).close()
    reader = Store(path, create=False)
    assert reader.views.messages("out") == []
    reader.close()


def test_a_reader_racing_the_maker_of_a_new_database_sees_none_or_all_of_it(
        tmp_path: Path) -> None:
    wrong: list[str] = []
    for trial in range(10):
        path = tmp_path / f"new{trial}.db"
        start = threading.Barrier(2)

        def make(path: Path = path, start: threading.Barrier = start) -> None:
            start.wait()
            Store(path).close()

        def read(path: Path = path, start: threading.Barrier = start) -> None:
            start.wait()
            while True:
                existed = path.exists()
                try:
                    Store(path, create=False).close()
                    return
                except StoreMissing:
                    if existed:
                        wrong.append(f"{path.name}: 'no database' though the file existed")
                except StoreError as error:
                    wrong.append(f"{path.name}: {error}")
                    return

        threads = [threading.Thread(target=make), threading.Thread(target=read)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert wrong == []


def test_garbage_is_not_a_sqlite_database(tmp_path: Path) -> None:
    path = write_garbage(tmp_path / "m.db")
    for options in ({}, {"verify": True}, {"create": False}):
        refused(path, StoreCorrupt, "is not a SQLite database", **options)


def test_someone_elses_sqlite_database_is_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    refused(path, StoreCorrupt, r"not modemd's \(tables \['contacts'\]")


def test_a_database_from_a_newer_modemd_is_refused_unchanged(tmp_path: Path) -> None:
    path = mark_newer(make_database(tmp_path / "m.db"), "0042_from_the_future")
    message = refused(path, StoreTooNew, "written by a newer modemd", verify=True)
    assert "0042_from_the_future" in message and "left as it is" in message


def test_the_daemon_check_finds_a_damaged_page_agents_do_not_look_for(tmp_path: Path) -> None:
    path = damage_root_page(make_database(tmp_path / "m.db"), "audit")
    message = refused(path, StoreCorrupt, r"damaged \(PRAGMA quick_check: ", verify=True)
    assert ".recover" in message
    store = Store(path, create=False)  # an agent's command: no full scan, and it works
    try:
        assert len(store.views.messages("out", limit=5)) == 5
    finally:
        store.close()


def test_a_damaged_page_a_command_reads_is_a_clear_error_and_nothing_is_written(
        tmp_path: Path) -> None:
    path = damage_root_page(make_database(tmp_path / "m.db"), "messages")
    before = snapshot(tmp_path)
    store = Store(path, create=False)
    with pytest.raises(StoreCorrupt, match="is damaged"):
        store.views.messages("out")
    with pytest.raises(StoreCorrupt, match="is damaged"):
        queue(store, "into a damaged file")
    store.close()
    assert snapshot(tmp_path) == before


# ---- locked by another process -----------------------------------------------------------


def test_a_writer_holding_on_fails_writes_after_the_wait_and_is_named(
        tmp_path: Path, short_wait: float) -> None:
    path = make_database(tmp_path / "m.db")
    before = snapshot(tmp_path)
    with held(path, EXCLUSIVE_WRITER) as pid:
        store = Store(path, create=False)
        assert len(store.views.messages("out", limit=3)) == 3  # WAL: readers go on
        started = time.monotonic()
        with pytest.raises(StoreLocked, match=rf"locked by another process \(pid {pid} "):
            queue(store, "waits, then gives up")
        assert time.monotonic() - started >= short_wait
        store.close()
        with pytest.raises(StoreLocked, match=f"stayed locked for {short_wait:g} s"):
            Database(path, verify=True)  # the daemon needs the write lock at start
    assert snapshot(tmp_path) == before


def test_a_process_holding_the_whole_file_stops_even_readers(
        tmp_path: Path, short_wait: float) -> None:
    path = make_database(tmp_path / "m.db")
    before = snapshot(tmp_path)
    with held(path, EXCLUSIVE_FILE) as pid, pytest.raises(StoreLocked, match=f"pid {pid}"):
        Store(path, create=False)
    assert snapshot(tmp_path) == before


# ---- one daemon per database -------------------------------------------------------------


def test_a_second_daemon_lock_names_the_first_and_a_released_one_is_free(
        tmp_path: Path) -> None:
    path = make_database(tmp_path / "m.db")
    first = DaemonLock.acquire(path)
    before = snapshot(tmp_path)
    with pytest.raises(StoreInUse, match=rf"another modemd run \(pid {os.getpid()}\)"):
        Store.lock_for_daemon(path)
    assert snapshot(tmp_path) == before
    first.release()
    Store.lock_for_daemon(path).release()


def test_a_daemon_on_a_new_install_creates_folder_database_and_lock(tmp_path: Path) -> None:
    path = tmp_path / "var" / "lib" / "modemd" / "modemd.db"
    lock = Store.lock_for_daemon(path)
    try:
        assert sorted(entry.name for entry in path.parent.iterdir()) == [
            "modemd.db", "modemd.db.daemon.lock"]
        assert Path(f"{path}.daemon.lock").read_text() == f"{os.getpid()}\n"
    finally:
        lock.release()
    assert not Path(f"{path}.daemon.lock").exists()  # a clean stop leaves the database alone


def test_the_daemon_lock_dies_with_its_process(tmp_path: Path) -> None:
    path = make_database(tmp_path / "m.db")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from modemd.store import DaemonLock; "
         f"DaemonLock.acquire({str(path)!r}); print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with pytest.raises(StoreInUse, match=f"pid {holder.pid}"):
        DaemonLock.acquire(path)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    assert Path(f"{path}.daemon.lock").read_text() == f"{holder.pid}\n"  # stale, unlocked
    DaemonLock.acquire(path).release()


@pytest.mark.parametrize("stale", [False, True], ids=["no lock file", "a stale lock file"])
def test_a_refused_daemon_start_leaves_the_lock_file_as_it_was(tmp_path: Path,
                                                               stale: bool) -> None:
    path = damage_root_page(make_database(tmp_path / "m.db"), "audit")
    if stale:
        Path(f"{path}.daemon.lock").write_text("12345\n")  # what a kill -9 leaves
    before = snapshot(tmp_path)
    with pytest.raises(StoreCorrupt):
        Store.lock_for_daemon(path)
    assert snapshot(tmp_path) == before


# ---- a full disk ---------------------------------------------------------------------------


def test_a_full_disk_is_store_full_and_nothing_is_half_written(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        path = disk / "m.db"
        store = Store(path)  # stays open, as the daemon's does
        try:
            queue(store, "before the disk filled")
            assert store.database.has_room()
            filler = fill(disk)
            before = counts(path)
            with pytest.raises(StoreFull, match=r"is full \(\d+ bytes free\).*nothing was written"):
                queue(store, "x" * 400)
            assert not store.database.has_room()
            assert store.database.disk_state() == {"path": str(path), "free_bytes": 0,
                                                   "full": True}
            filler.unlink()
            assert store.database.has_room()
            assert counts(path) == before
            assert integrity(path) == ["ok"]
            queue(store, "after space came back")  # the connection was left usable
            assert counts(path)["messages"] == before["messages"] + 1
        finally:
            store.close()


def test_opening_on_a_full_disk_is_store_full(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        make_database(disk / "m.db", messages=3)
        fill(disk)
        with pytest.raises(StoreFull, match="is full"):
            queue(Store(disk / "m.db"), "no room to even open the -shm")
        (disk / "filler").unlink()
        assert counts(disk / "m.db")["messages"] == 3
        assert integrity(disk / "m.db") == ["ok"]


def test_disk_state_of_a_healthy_database(store: Store, db_path: Path) -> None:
    state = store.database.disk_state()
    assert state["path"] == str(db_path) and state["full"] is False
    assert state["free_bytes"] > 1 << 20


def test_a_normal_open_leaves_only_the_database(tmp_path: Path) -> None:
    Store(tmp_path / "m.db").close()
    assert [entry.name for entry in tmp_path.iterdir()] == ["m.db"]  # no .lock sidecar
