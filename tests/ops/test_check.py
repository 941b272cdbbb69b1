"""`modemd check` validates a configuration without starting anything: one line per
check (ok, WARNING, ERROR, skipped), exit 1 with one stderr line when any is an ERROR,
and nothing created (no database, no -wal, no lock)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from store.dbfiles import make_database, snapshot, write_garbage

from modemd.store import DaemonLock

from .support import modemd


@pytest.fixture
def ptys() -> Iterator[list[str]]:
    """Two real serial-like ports (pty slaves), open on their master side."""
    pairs = [os.openpty() for _ in range(2)]
    yield [os.ttyname(slave) for _, slave in pairs]
    for master, slave in pairs:
        os.close(master)
        os.close(slave)


@pytest.fixture
def tools(tmp_path: Path) -> dict[str, str]:
    """PATH with a fake systemctl (ModemManager active) and udevadm (ports whose name
    has "ignored" carry ID_MM_DEVICE_IGNORE=1, as udev/77-modemd.rules sets it)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    scripts = {"systemctl": 'echo active\n',
               "udevadm": 'case "$3" in *ignored*) echo ID_MM_DEVICE_IGNORE=1;; esac\n'
                          'echo SUBSYSTEM=tty\n'}
    for name, body in scripts.items():
        script = folder / name
        script.write_text("#!/bin/sh\n" + body)
        script.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}"}


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "modemd.toml"
    path.write_text(text)
    return path


def check(path: Path, *options: str, env: dict[str, str] | None = None
          ) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """The process, and its lines as {"check subject": "STATE text"}."""
    done = modemd("check", "--config", str(path), *options, env=env)
    lines = {}
    for line in done.stdout.splitlines():
        state, name, rest = line.split(None, 2)
        subject, _, text = rest.partition(": ")
        lines[f"{name} {subject}"] = f"{state} {text}"
    return done, lines


def test_a_good_configuration_passes_and_creates_nothing(tmp_path: Path,
                                                         ptys: list[str]) -> None:
    links = tmp_path / "by-path"
    links.mkdir()
    (links / "usb-0:1.2").symlink_to(ptys[1])
    db = tmp_path / "data" / "modemd.db"
    path = config(tmp_path, f'database = "{db}"\ndiscover = ["{links}/*"]\n'
                  f'[[modem]]\nport = "{ptys[0]}"\nname = "desk-1"\n'
                  '[[modem]]\nport = "fakemodem://line1"\nname = "bench"\n')
    before = snapshot(tmp_path)
    done, lines = check(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines[f"config {path}"] == ("ok parses: 2 modem(s) by port, 0 by identity, "
                                       "1 discover glob(s)")
    assert lines[f"database {db}"].startswith("ok not there yet: `modemd run` creates it")
    assert lines[f"port {ptys[0]}"] == f"ok opens (desk-1, {ptys[0]})"
    assert lines["port fakemodem://line1"] == "skipped a pyserial URL: not checked"
    assert lines[f"discover {links}/*"] == f"ok 1 port(s) now: {links}/usb-0:1.2"
    assert snapshot(tmp_path) == before and not db.parent.exists()


def test_an_unknown_setting_is_an_error_with_a_hint(tmp_path: Path) -> None:
    done, _ = check(config(tmp_path, "retention_day = 30\n"))
    assert done.returncode == 1
    assert "unknown setting 'retention_day'; did you mean 'retention_days'?" in done.stdout
    assert done.stdout.startswith("ERROR    config")
    assert done.stderr.count("\n") == 1 and "1 check(s) failed (config)" in done.stderr


def test_a_retention_of_no_days_is_an_error(tmp_path: Path) -> None:
    done, _ = check(config(tmp_path, f'database = "{tmp_path}/m.db"\nretention_days = 0\n'))
    assert done.returncode == 1
    assert "retention_days = 0 must be more than 0" in done.stdout
    assert done.stdout.startswith("ERROR    config")
    done, lines = check(config(tmp_path, f'database = "{tmp_path}/m.db"\nretention_days = 90\n'))
    assert lines["retention 90 days"] == "ok older final messages are pruned hourly"


def test_ports_that_are_missing_or_not_serial_are_errors(tmp_path: Path) -> None:
    plain = tmp_path / "not-a-tty"
    plain.write_text("")
    path = config(tmp_path, f'[[modem]]\nport = "{tmp_path}/gone"\nname = "desk-9"\n'
                  f'[[modem]]\nport = "{plain}"\nname = "desk-8"\n')
    done, lines = check(path, "--db", str(tmp_path / "modemd.db"))
    assert done.returncode == 1
    assert lines[f"port {tmp_path}/gone"].startswith("ERROR no such port (desk-9): plug the "
                                                     "modem in")
    assert lines[f"port {plain}"].startswith("ERROR not a serial port (desk-8)")
    assert "2 check(s) failed (port, port)" in done.stderr


def test_a_port_given_with_port_is_checked_like_run_would_drive_it(tmp_path: Path,
                                                                    ptys: list[str]) -> None:
    path = config(tmp_path, "")
    done, lines = check(path, "--port", ptys[0], "--db", str(tmp_path / "modemd.db"))
    assert done.returncode == 0, done.stdout
    assert lines[f"port {ptys[0]}"].startswith("ok opens (")


def test_a_database_it_could_not_write_or_that_is_not_one_is_an_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    make_database(locked / "modemd.db", messages=1)
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)  # no write bit: read-only even for root
    try:
        done, lines = check(config(tmp_path, f'database = "{locked}/modemd.db"\n'))
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1
    assert lines[f"database {locked}/modemd.db"].startswith(
        f"ERROR the folder {locked} holding the database")
    garbage = write_garbage(tmp_path / "garbage.db")
    done, lines = check(config(tmp_path, f'database = "{garbage}"\n'))
    assert done.returncode == 1
    assert lines[f"database {garbage}"].startswith("ERROR is not a SQLite database")


def test_an_existing_database_is_fine_and_a_daemon_on_it_is_said(tmp_path: Path) -> None:
    db = make_database(tmp_path / "modemd.db", messages=1)
    path = config(tmp_path, f'database = "{db}"\n')
    done, lines = check(path)
    assert lines[f"database {db}"] == "ok exists and is writable"
    lock = DaemonLock.acquire(db)
    try:
        done, lines = check(path)
    finally:
        lock.release()
    assert lines[f"database {db}"] == "ok exists and is writable (in use by a running modemd)"
    assert done.returncode == 0


def test_modemmanager_not_ignoring_a_port_is_a_warning_not_an_error(
        tmp_path: Path, ptys: list[str], tools: dict[str, str]) -> None:
    links = tmp_path / "links"
    links.mkdir()
    (links / "ignored-desk-1").symlink_to(ptys[0])
    (links / "desk-2").symlink_to(ptys[1])
    path = config(tmp_path, f'database = "{tmp_path}/m.db"\ndiscover = ["{links}/*"]\n')
    done, lines = check(path, env=tools)
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines[f"modemmanager {links}/ignored-desk-1"] == "ok ignored by ModemManager"
    assert lines[f"modemmanager {links}/desk-2"].startswith(
        "WARNING ModemManager is running and does not ignore this port")
    assert "ID_MM_DEVICE_IGNORE=1" in lines[f"modemmanager {links}/desk-2"]


def test_modemmanager_started_by_hand_is_found_by_its_process(
        tmp_path: Path, ptys: list[str], tools: dict[str, str]) -> None:
    (Path(tools["PATH"].split(":")[0]) / "systemctl").write_text("#!/bin/sh\nexit 3\n")
    fake = tmp_path / "ModemManager"  # a process whose name is ModemManager
    shutil.copy("/bin/sleep", fake)
    process = subprocess.Popen([str(fake), "60"])
    try:
        deadline = time.monotonic() + 5
        while Path(f"/proc/{process.pid}/comm").read_text().strip() != "ModemManager":
            assert time.monotonic() < deadline, "the fake ModemManager did not start"
            time.sleep(0.01)
        _, lines = check(config(tmp_path, f'[[modem]]\nport = "{ptys[0]}"\n'),
                            "--db", str(tmp_path / "m.db"), env=tools)
    finally:
        process.kill()
        process.wait()
    assert lines[f"modemmanager {ptys[0]}"].startswith("WARNING ModemManager is running")


def test_json_lists_every_check(tmp_path: Path) -> None:
    done = modemd("check", "--config", str(config(tmp_path, "")), "--db",
                  str(tmp_path / "m.db"), "--port", str(tmp_path / "gone"), "--json")
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert result["ok"] is False
    by_check = {entry["check"]: entry for entry in result["checks"]}
    assert by_check["port"] == {"check": "port", "subject": str(tmp_path / "gone"),
                                "state": "ERROR", "text": by_check["port"]["text"]}
    assert by_check["config"]["state"] == "ok" and by_check["database"]["state"] == "ok"
