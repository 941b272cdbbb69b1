"""The daemon's log: syslog priorities and no timestamps under journald (stderr is the
stream JOURNAL_STREAM names), UTC timestamps elsewhere, the line's name on what a
line's threads log; and `modemd run` makes its files for the group, never for all."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e.conftest import Desk, wait_for

from modemd.wake import socket_path

# Logs like the daemon's threads do: the main thread, a line's worker, a line's reader.
SCRIPT = """
import logging, threading
from modemd.cli import logs
logs.setup("INFO")
log = logging.getLogger("modemd.test")
def worker():
    log.warning("offline (port gone)")
    log.info("line desk-1: ok")
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception("boom")
log.info("serving 2 modem(s)")
log.debug("not at INFO")
for name, target in (("line-desk-1", worker),
                     ("at-read-desk-2", lambda: log.info("late 'OK' dropped"))):
    thread = threading.Thread(target=target, name=name)
    thread.start()
    thread.join()
"""
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
DESKS = [{"port": "PORT/line1", "name": "desk-1"}, {"port": "PORT/line2", "name": "desk-2"}]


def journal_env(log: Path) -> dict[str, str]:
    """The environment systemd gives a service whose stderr is the journal (log)."""
    log.touch()
    stream = log.stat()
    return {**os.environ, "JOURNAL_STREAM": f"{stream.st_dev}:{stream.st_ino}"}


def logged(log: Path, env: dict[str, str]) -> list[str]:
    with log.open("a") as sink:
        subprocess.run([sys.executable, "-c", SCRIPT], stderr=sink, env=env, check=True,
                       timeout=30)
    return log.read_text().splitlines()


def test_under_journald_each_line_has_its_priority_and_names_its_line(tmp_path: Path) -> None:
    log = tmp_path / "journal"
    lines = logged(log, journal_env(log))
    assert lines[:4] == ["<6>serving 2 modem(s)", "<4>line desk-1: offline (port gone)",
                         "<6>line desk-1: ok", "<3>line desk-1: boom"]
    assert lines[4] == "<3>Traceback (most recent call last):"
    assert all(line.startswith("<3>") for line in lines[4:-1])  # the traceback too
    assert lines[-2] == "<3>ZeroDivisionError: division by zero"
    assert lines[-1] == "<6>line desk-2: late 'OK' dropped"


@pytest.mark.parametrize("stream", [None, "1:2"], ids=["no journal", "stderr elsewhere"])
def test_elsewhere_each_line_has_a_utc_timestamp_and_level(tmp_path: Path,
                                                           stream: str | None) -> None:
    env = {key: value for key, value in os.environ.items() if key != "JOURNAL_STREAM"}
    if stream:
        env["JOURNAL_STREAM"] = stream  # a unit that sends stderr to a file keeps it
    lines = logged(tmp_path / "daemon.log", env)
    assert re.fullmatch(f"{STAMP} INFO modemd.test: serving 2 modem\\(s\\)", lines[0])
    assert re.fullmatch(f"{STAMP} WARNING modemd.test: line desk-1: offline \\(port gone\\)",
                        lines[1])


def test_the_real_daemon_under_journald(make_desk: Callable[..., Desk],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    desk = make_desk(modems=DESKS, start=False)
    monkeypatch.setenv("JOURNAL_STREAM", journal_env(desk.daemon.log)["JOURNAL_STREAM"])
    desk.daemon.start()
    desk.wait_lines()
    desk.emulator.command("unplug", "line2")
    wait_for("the unplug logged", lambda: "<4>line desk-2: offline (" in desk.daemon.log_tail())
    lines = [line for line in desk.daemon.log.read_text().splitlines()
             if not line.startswith("==== start")]  # the test's own marker
    assert lines and all(re.match(r"<[2-7]>", line) for line in lines), lines
    assert "<6>line desk-1: ok" in lines and not any(re.search(STAMP, line) for line in lines)


def test_run_makes_its_files_its_own_to_write_for_the_group_to_read(
        make_desk: Callable[..., Desk]) -> None:
    desk = make_desk()  # the test's own umask (022 or so) is not the daemon's
    db = desk.cli.db
    wake, lock = socket_path(db), Path(f"{db}.daemon.lock")
    wait_for("the WAL files", lambda: Path(f"{db}-wal").exists() and Path(f"{db}-shm").exists())
    modes = {path.name: stat.S_IMODE(path.stat().st_mode)
             for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), wake, lock)}
    assert all(mode & 0o007 == 0 for mode in modes.values()), modes  # nothing for others
    assert modes[wake.name] == 0o750 and modes[lock.name] == 0o640
    assert {modes[db.name], modes[f"{db.name}-wal"], modes[f"{db.name}-shm"]} == {0o640}, modes
    stamped = [line for line in desk.daemon.log.read_text().splitlines()
               if not line.startswith("==== start")]
    assert stamped and all(re.match(f"{STAMP} [A-Z]+ ", line) for line in stamped), stamped
