"""Database faults as an agent and systemd see them: every command refuses an unusable
database with exit 1 and one line on stderr (what, why, what to do), and the folder is
left exactly as it was. Agent commands run in-process (CliRunner); `modemd run` runs as
a real process.

Rules under test: `modemd run` and `modemd send` may create a database at a new path;
every other command says there is none. Only the daemon runs PRAGMA quick_check at
start; an agent command fails cleanly when it reads a damaged page.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

# The store tests' file helpers (tests/ is on sys.path: its subfolders are packages).
from store.dbfiles import (
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

from modemd.api.server import socket_path
from modemd.cli import main
from modemd.config import Config
from modemd.store import DaemonLock, Store

CUSTOMER = "+12015550123"
READERS = (("outbox",), ("inbox",), ("thread", CUSTOMER), ("show", "1"), ("status",),
           ("quarantine",))
WRITERS = (("send", CUSTOMER, "hello"), ("resend", "1"))
COMMANDS = READERS + WRITERS
IDS = [" ".join(command[:1]) for command in COMMANDS]


@pytest.fixture(autouse=True)
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ./modemd.toml, $MODEMD_CONFIG or $MODEMD_DB from the developer's shell."""
    for name in ("MODEMD_CONFIG", "MODEMD_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The database's folder, apart from anything else the test makes."""
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr("modemd.store.opening.BUSY_TIMEOUT_MS", 300)
    return 0.3


def modemd(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--db", str(db)])


def refuses(db: Path, command: tuple[str, ...], match: str, folder: Path | None = None) -> str:
    """The command exits 1 with one stderr line containing match; folder (db's by
    default) unchanged."""
    folder = folder or db.parent
    before = snapshot(folder)
    result = modemd(db, *command)
    assert result.exit_code == 1, (result.stdout, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and match in lines[0], result.stderr
    assert snapshot(folder) == before
    return lines[0]


def read_only_file(folder: Path) -> Path:
    path = make_database(folder / "modemd.db", messages=3)
    path.chmod(0o444)
    return path


def read_only_folder(folder: Path) -> Path:
    path = make_database(folder / "modemd.db", messages=3)
    folder.chmod(0o555)
    return path


FAULTS = {
    "read-only file": (read_only_file, "is read-only (mode 0444): make it writable"),
    "read-only folder": (read_only_folder, "is not writable (mode 0555)"),
    "garbage": (lambda folder: write_garbage(folder / "modemd.db"), "is not a SQLite database"),
    "newer modemd": (lambda folder: mark_newer(make_database(folder / "modemd.db", 3)),
                     "was written by a newer modemd"),
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_every_command_refuses_an_unusable_database_untouched(
        data: Path, fault: str, command: tuple[str, ...]) -> None:
    make, match = FAULTS[fault]
    try:
        refuses(make(data), command, match)
    finally:
        data.chmod(0o755)


@pytest.mark.parametrize("command", READERS + WRITERS[1:], ids=IDS[:-1])
def test_reading_commands_say_there_is_no_database_and_make_none(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    message = refuses(tmp_path / "nowhere" / "modemd.db", command, "there is no database at",
                      folder=tmp_path)
    assert "`modemd run` or `modemd send` creates one" in message
    assert not (tmp_path / "nowhere").exists()


def test_send_creates_a_new_database_folders_and_all(tmp_path: Path) -> None:
    db = tmp_path / "new" / "modemd.db"
    result = modemd(db, "send", CUSTOMER, "the first message")
    assert result.exit_code == 0, result.stderr
    assert counts(db)["messages"] == 1


@pytest.mark.parametrize("command", (("outbox",), ("thread", CUSTOMER), ("show", "1"),
                                     ("status",), *WRITERS), ids=lambda c: c[0])
def test_a_damaged_page_a_command_reads_is_a_clear_error_and_nothing_is_written(
        data: Path, command: tuple[str, ...]) -> None:
    db = damage_root_page(make_database(data / "modemd.db"), "messages")
    message = refuses(db, command, "is damaged (database disk image is malformed)")
    assert ".recover" in message


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_a_process_holding_the_file_exclusively_is_named_after_the_wait(
        data: Path, short_wait: float, command: tuple[str, ...]) -> None:
    db = make_database(data / "modemd.db", messages=3)
    before = snapshot(data)
    with held(db, EXCLUSIVE_FILE) as pid:
        result = modemd(db, *command)
    assert result.exit_code == 1
    assert f"is locked by another process (pid {pid} " in result.stderr
    assert f"stayed locked for {short_wait:g} s" in result.stderr
    assert snapshot(data) == before


def test_a_writer_holding_on_blocks_send_not_reading(data: Path, short_wait: float) -> None:
    db = make_database(data / "modemd.db", messages=3)
    before = snapshot(data)
    with held(db, EXCLUSIVE_WRITER) as pid:
        assert modemd(db, "outbox").exit_code == 0  # WAL: readers are never blocked
        result = modemd(db, "send", CUSTOMER, "waits, then gives up")
        assert result.exit_code == 1
        assert f"(pid {pid} " in result.stderr and "nothing was written" in result.stderr
    assert snapshot(data) == before


def test_status_reports_the_database_and_its_free_space(data: Path) -> None:
    db = make_database(data / "modemd.db", messages=3)
    answer = json.loads(modemd(db, "status", "--json").stdout)
    assert answer["database"]["path"] == str(db) and answer["database"]["full"] is False
    assert answer["database"]["free_bytes"] > 0
    text = modemd(db, "status").stdout
    assert f"database {db}: {answer['database']['free_bytes'] // 10**9}" in text
    assert "bytes free" in text and "FULL" not in text


def test_send_on_a_full_disk_fails_clearly_and_queues_nothing(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        db = make_database(disk / "modemd.db", messages=3)
        daemon = Store(db)  # holds the database open, as a running daemon does
        try:
            filler = fill(disk)
            result = modemd(db, "send", CUSTOMER, "no room for this")
            assert result.exit_code == 1
            assert "the disk holding the database" in result.stderr
            assert "is full (" in result.stderr and "nothing was written" in result.stderr
            status = json.loads(modemd(db, "status", "--json").stdout)["database"]
            assert status == {"path": str(db), "free_bytes": status["free_bytes"], "full": True}
            assert "DISK FULL" in modemd(db, "status").stdout
            filler.unlink()
            assert counts(db) == {"messages": 3, "outbound_parts": 3, "audit": 3}
            assert integrity(db) == ["ok"]
            assert modemd(db, "send", CUSTOMER, "room again").exit_code == 0
        finally:
            daemon.close()


# ---- `modemd run`, a real process --------------------------------------------------------


def run_daemon(db: Path, *, timeout: float = 60) -> subprocess.CompletedProcess:
    """`modemd run` on a port that is not there: the database is all it gets to."""
    return subprocess.run([sys.executable, "-m", "modemd", "run", "--db", str(db), "--port",
                           str(db.parent.parent / "no-modem")],
                          capture_output=True, text=True, timeout=timeout, check=False)


def daemon_refuses(db: Path, match: str) -> str:
    before = snapshot(db.parent)
    done = run_daemon(db)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and match in lines[0], done.stderr
    assert snapshot(db.parent) == before
    return lines[0]


@pytest.mark.parametrize("fault", FAULTS)
def test_run_refuses_an_unusable_database_untouched(data: Path, fault: str) -> None:
    make, match = FAULTS[fault]
    try:
        daemon_refuses(make(data), match)
    finally:
        data.chmod(0o755)


def test_run_finds_a_damaged_page_with_quick_check(data: Path) -> None:
    db = damage_root_page(make_database(data / "modemd.db"), "audit")
    daemon_refuses(db, "is damaged (PRAGMA quick_check: ")
    assert modemd(db, "outbox", "--limit", "1").exit_code == 0  # agents do not scan


def test_run_waits_for_a_writer_then_names_it(data: Path) -> None:
    db = make_database(data / "modemd.db", messages=3)
    before = snapshot(data)
    with held(db, EXCLUSIVE_WRITER) as pid:
        started = time.monotonic()
        done = run_daemon(db)
        waited = time.monotonic() - started
    assert done.returncode == 1
    assert f"locked by another process (pid {pid} " in done.stderr
    assert "stayed locked for 10 s" in done.stderr and waited >= 9.5
    assert snapshot(data) == before


def listing(folder: Path) -> dict[str, int]:
    return {entry.name: entry.lstat().st_ino for entry in folder.iterdir()}


def test_a_second_daemon_on_the_same_database_refuses_and_touches_nothing(
        data: Path, tmp_path: Path) -> None:
    db = data / "modemd.db"  # new: the first daemon creates it
    with (tmp_path / "first.log").open("w") as log:
        first = subprocess.Popen([sys.executable, "-m", "modemd", "run", "--db", str(db),
                                  "--port", str(tmp_path / "no-modem")], stderr=log)
    try:
        lock = Path(f"{db}.daemon.lock")
        deadline = time.monotonic() + 20
        while not (lock.exists() and lock.read_text().strip() == str(first.pid)
                   and Path(f"{db}.wake").exists()
                   and socket_path(Config(database=db)).exists()):  # the API's, last
            assert time.monotonic() < deadline and first.poll() is None, \
                (tmp_path / "first.log").read_text()
            time.sleep(0.05)
        before = listing(data)
        done = run_daemon(db)
        assert done.returncode == 1
        assert f"another modemd run (pid {first.pid}) is using the database {db}" in done.stderr
        assert listing(data) == before  # the first one's wake socket and lock included
        assert lock.read_text().strip() == str(first.pid)
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0
    DaemonLock.acquire(db).release()  # free once the first one stopped
