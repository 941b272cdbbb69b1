"""`modemd health` and `modemd status` against the real daemon on emulated modems: OK
while both lines work, WARNING when one is unplugged, CRITICAL once the daemon is
killed (its lock free) or stopped."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e.conftest import Desk, wait_for

from modemd.store.runs import STALE_SECONDS

from .support import answer, modemd

DESKS = [{"port": "PORT/line1", "name": "desk-1"}, {"port": "PORT/line2", "name": "desk-2"}]


@pytest.fixture
def desk(make_desk: Callable[..., Desk]) -> Desk:
    desk = make_desk(modems=DESKS)
    desk.wait_lines()
    return desk


def health(desk: Desk) -> subprocess.CompletedProcess:
    return modemd("health", "--db", str(desk.cli.db))


def wait_health(desk: Desk, code: int, timeout: float = 20) -> str:
    done = wait_for(f"health exits {code}", lambda: health(desk),
                    lambda done: done.returncode == code, timeout=timeout, interval=0.2)
    return done.stdout.strip()


def test_ok_while_both_lines_work_then_critical_after_a_clean_stop(desk: Desk) -> None:
    line = wait_health(desk, 0)
    assert line.startswith("MODEMD OK - 2/2 lines ok, queue 0 (oldest 0 s), ")
    status = answer("status", "--db", str(desk.cli.db))["daemon"]
    assert desk.daemon.process is not None
    assert (status["state"], status["pid"], status["lock"]) == (
        "running", desk.daemon.process.pid, "held")
    assert status["heartbeat_age_seconds"] <= STALE_SECONDS
    text = modemd("status", "--db", str(desk.cli.db)).stdout
    assert f"daemon: running pid {desk.daemon.process.pid} since {status['started_at']}" in text
    assert "LAST_SEEN" in text and " s ago" in text

    assert desk.daemon.terminate() == 0
    line = wait_health(desk, 2, timeout=5)
    stopped = answer("status", "--db", str(desk.cli.db))["daemon"]
    assert stopped["state"] == "stopped" and stopped["stopped_at"] is not None
    assert line.startswith(f"MODEMD CRITICAL - daemon not running: stopped at "
                           f"{stopped['stopped_at']}")


def test_warning_names_the_line_that_was_unplugged(desk: Desk) -> None:
    wait_health(desk, 0)
    desk.emulator.command("unplug", "line2")
    line = wait_health(desk, 1)
    assert line.startswith("MODEMD WARNING - line desk-2 offline (")
    assert "1/2 lines ok" in line and "lines_down=1;;;0" in line.split(" | ")[1].split()
    desk.emulator.command("replug", "line2")
    wait_health(desk, 0)


def test_critical_once_the_daemon_is_killed(desk: Desk) -> None:
    wait_health(desk, 0)
    desk.daemon.kill()  # SIGKILL: no stop recorded, the lock is free at once
    done = health(desk)
    assert done.returncode == 2, done.stdout
    assert done.stdout.startswith("MODEMD CRITICAL - daemon not running: last heartbeat ")
    assert "(crashed or killed); lines not checked (daemon down)" in done.stdout
    status = answer("status", "--db", str(desk.cli.db))["daemon"]
    assert (status["state"], status["lock"], status["stopped_at"]) == ("dead", "free", None)
    assert Path(f"{desk.cli.db}.daemon.lock").exists()  # kill -9 leaves it, unlocked
