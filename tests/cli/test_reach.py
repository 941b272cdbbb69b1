"""Which way a command goes: its own database when it may write it; else the daemon's API
socket, but only a daemon serving that very database; else the opening's error with
why the socket was no way round it. The database is made read-only with mode 0444,
which refuses root too (the opening checks the mode bits)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from modemd.api import reach
from modemd.api.server import ApiServer
from modemd.cli import main
from modemd.config import Config, Pace
from modemd.store import Store


@pytest.fixture
def folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="mreach-"))  # short: socket paths are
    yield path
    shutil.rmtree(path, ignore_errors=True)


def serving(database: Path, socket: Path) -> ApiServer:
    """The daemon's API on database, its socket at socket (opened before the test makes
    the file read-only: the server keeps its connection, as a running daemon does)."""
    Store(database, create=True).close()
    server = ApiServer(Config(database=database, api_socket=str(socket),
                              pace=Pace(enabled=False)))
    server.start()
    return server


def modemd(folder: Path, database: Path, *args: str) -> tuple[int, str, str]:
    config = folder / "agent.toml"
    config.write_text(f'api_socket = "{folder / "api.sock"}"\n[pace]\nenabled = false\n')
    result = CliRunner().invoke(main, [*args, "--db", str(database)],
                                env={"MODEMD_CONFIG": str(config)})
    return result.exit_code, result.stdout, result.stderr


def test_a_read_only_database_is_reached_through_the_daemon_that_serves_it(
        folder: Path) -> None:
    database = folder / "desk.db"
    server = serving(database, folder / "api.sock")
    try:
        database.chmod(0o444)
        code, out, err = modemd(folder, database, "send", "+14155550123", "hello", "--json")
        assert (code, err) == (0, ""), err
        queued = json.loads(out)
        code, out, _ = modemd(folder, database, "show", str(queued["id"]), "--json")
        assert code == 0 and json.loads(out)["status"] == "queued"
        database.chmod(0o644)  # writable again: the command reads it itself, the same
        assert modemd(folder, database, "show", str(queued["id"]), "--json")[1] == out
    finally:
        server.stop()


def test_a_socket_of_a_daemon_on_another_database_is_not_used(folder: Path) -> None:
    # (not waited for either: another database's daemon will not turn into this one's)
    server = serving(folder / "other.db", folder / "api.sock")
    database = folder / "desk.db"
    Store(database, create=True).close()
    database.chmod(0o444)
    try:
        code, out, err = modemd(folder, database, "send", "+14155550123", "hello")
    finally:
        server.stop()
    assert (code, out) == (1, "")
    assert err.startswith("Error: this needs the daemon, and its API cannot be reached (the "
                          f"daemon at {folder}/api.sock serves {folder}/other.db, not "
                          f"{database}): is `modemd run` running")
    assert err.endswith(f"Without it this user may not work on the database: the database "
                        f"{database} is read-only (mode 0444): make it writable by the user "
                        "running modemd (root), or point --db elsewhere\n")
    database.chmod(0o644)
    assert Store(database, create=False).views.messages("out") == []  # nothing queued


def test_without_a_socket_nor_a_daemon_it_says_why_at_once(folder: Path) -> None:
    database = folder / "desk.db"
    Store(database, create=True).close()
    database.chmod(0o444)
    began = time.monotonic()
    code, out, err = modemd(folder, database, "outbox")
    assert time.monotonic() - began < reach.GRACE_SECONDS / 2  # no daemon to wait for
    assert (code, out) == (1, "")
    assert err.startswith("Error: this needs the daemon, and its API cannot be reached (no "
                          f"socket at {folder}/api.sock): is `modemd run` running (on the "
                          "appliance: systemctl status modemd)? Without it this user may not "
                          f"work on the database: the database {database} is read-only")


def test_a_starting_daemon_is_waited_for(folder: Path) -> None:
    database = folder / "desk.db"
    server = serving(database, folder / "starting.sock")
    lock = Store.lock_for_daemon(database)  # a daemon starting holds it before it serves
    database.chmod(0o444)
    # its socket appears at the agreed place a second after the command began looking
    appears = threading.Timer(1.0, os.rename, (folder / "starting.sock", folder / "api.sock"))
    appears.start()
    try:
        code, out, err = modemd(folder, database, "outbox", "--json")
    finally:
        appears.join()
        lock.release()
        server.stop()
    assert (code, out, err) == (0, "[]\n", "")
