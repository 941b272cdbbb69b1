"""The daemon's life under the real systemd: READY before active, a stop that finishes
the part in flight, the watchdog on a frozen daemon, Restart= after kill -9; each
loses nothing and sends nothing twice. A drop-in shortens the watchdog (6 s) and
the restart delay (1 s) to keep the tests fast. While the daemon is stopped or frozen
root queues and looks (ROOT: on the database itself); an agent's commands need it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from .conftest import DONE, STATE, Appliance, wait_for

ROOT = None  # Appliance.cli's user: root
DROP_IN = "/etc/systemd/system/modemd.service.d/50-test.conf"
WATCHDOG_SEC = 6


def outside(n: int) -> str:
    """A number outside the emulated rig: the network records it, nobody answers."""
    return f"+141555501{n:02d}"


@pytest.fixture(scope="module", autouse=True)
def short_watchdog(appliance: Appliance) -> Iterator[None]:
    machine = appliance.machine
    machine.write(DROP_IN, f"[Service]\nWatchdogSec={WATCHDOG_SEC}\nRestartSec=1\n")
    machine.sh("systemctl daemon-reload && systemctl restart modemd")
    appliance.wait_lines_ok()
    yield
    machine.sh(f"rm -f {DROP_IN} && systemctl daemon-reload")


@pytest.fixture
def slow_submit(appliance: Appliance) -> Iterator[None]:
    """+CMGS answers come after this many seconds; back to 0 afterwards."""
    yield
    appliance.emulator.command("delays", "--submit", "0")


def restarts(appliance: Appliance) -> int:
    return int(appliance.unit("NRestarts")["NRestarts"])


def test_start_returns_only_after_the_daemon_said_ready(appliance: Appliance):
    machine = appliance.machine
    machine.sh("systemctl stop modemd")
    machine.sh("systemctl start modemd")  # Type=notify: blocks until READY=1
    unit = appliance.unit("ActiveState", "SubState", "NRestarts", "MainPID", "StatusText",
                          "ExecMainStartTimestampMonotonic", "ActiveEnterTimestampMonotonic")
    assert (unit["ActiveState"], unit["SubState"], unit["NRestarts"]) == ("active", "running",
                                                                         "0")
    waited = (int(unit["ActiveEnterTimestampMonotonic"])
              - int(unit["ExecMainStartTimestampMonotonic"])) / 1e6
    assert waited > 0.2, f"active {waited:.3f} s after the fork: too soon for a READY=1"
    assert unit["StatusText"], "the daemon says what it does (STATUS=)"
    # By READY the daemon holds its lock (its pid recorded there) and its database answers.
    assert machine.sh(f"cat {STATE}/modemd.db.daemon.lock").stdout.strip() == unit["MainPID"]
    assert len(appliance.cli("status")["lines"]) == 2
    appliance.wait_lines_ok()


def test_stop_finishes_the_part_in_flight_and_exits_0(appliance: Appliance, slow_submit):
    text = "In flight while systemctl stop runs"
    appliance.emulator.command("delays", "--submit", "3")
    message_id = appliance.send(outside(1), text)
    wait_for("its PDU at the network", lambda: appliance.submitted(text), timeout=15,
             interval=0.05)
    began = time.monotonic()
    appliance.machine.sh("systemctl stop modemd", timeout=60)
    took = time.monotonic() - began
    unit = appliance.unit("ActiveState", "Result", "ExecMainCode", "ExecMainStatus")
    assert unit == {"ActiveState": "inactive", "Result": "success", "ExecMainCode": "1",
                    "ExecMainStatus": "0"}, appliance.journal()
    assert took > 1.0, f"stopped in {took:.1f} s: it did not wait for the +CMGS answer"
    assert appliance.status(message_id, ROOT) in DONE, "finished, not `unknown`"
    assert appliance.submitted(text) == 1
    appliance.machine.sh("systemctl start modemd")
    appliance.wait_lines_ok()


def test_a_frozen_daemon_is_killed_by_the_watchdog_restarted_and_loses_nothing(
        appliance: Appliance):
    machine = appliance.machine
    before = appliance.send(outside(2), "Sent before the freeze")
    appliance.wait_status(before)
    count, pid = restarts(appliance), appliance.unit("MainPID")["MainPID"]
    machine.sh(f"kill -STOP {pid}")
    frozen = {appliance.send(outside(3 + n), f"Queued while frozen {n}", ROOT):
              f"Queued while frozen {n}" for n in range(2)}
    wait_for("the watchdog's restart", lambda: appliance.unit("NRestarts", "ActiveState"),
             lambda unit: unit == {"NRestarts": str(count + 1), "ActiveState": "active"},
             timeout=WATCHDOG_SEC * 3, interval=0.3)
    assert appliance.unit("MainPID")["MainPID"] != pid
    assert f"Watchdog timeout (limit {WATCHDOG_SEC}s)" in appliance.journal()
    for message_id, text in frozen.items():
        assert appliance.wait_status(message_id) in DONE
        assert appliance.submitted(text) == 1
    assert appliance.submitted("Sent before the freeze") == 1, "not sent again"
    appliance.wait_lines_ok()


def test_kill_9_mid_queue_is_restarted_and_loses_nothing(appliance: Appliance, slow_submit):
    machine, total = appliance.machine, 6
    machine.sh("systemctl stop modemd")
    texts = {appliance.send(outside(10 + n), f"Killed mid-queue {n}", ROOT):
             f"Killed mid-queue {n}" for n in range(total)}
    appliance.emulator.command("delays", "--submit", "0.5")
    machine.sh("systemctl start modemd")
    count = restarts(appliance)  # a start by hand counts from 0 again

    def sent() -> int:
        return sum(appliance.submitted(text) for text in texts.values())

    wait_for("a first submission", sent, timeout=15, interval=0.05)
    machine.sh("kill -9 $(systemctl show -p MainPID --value modemd)")
    assert sent() < total, "the kill came in the middle of the queue"
    wait_for("Restart=", lambda: appliance.unit("NRestarts", "ActiveState"),  # READY: the API
             lambda unit: unit == {"NRestarts": str(count + 1), "ActiveState": "active"},
             timeout=15, interval=0.3)
    statuses = {message_id: appliance.wait_status(message_id, (*DONE, "unknown"), timeout=30)
                for message_id in texts}
    for message_id, text in texts.items():  # `unknown`: its PDU may have left, once at most
        wanted = (0, 1) if statuses[message_id] == "unknown" else (1,)
        assert appliance.submitted(text) in wanted, (text, statuses[message_id])
    unknown = [message_id for message_id, status in statuses.items() if status == "unknown"]
    assert len(unknown) <= 2, f"only a part in flight at the kill may be unknown: {statuses}"
    appliance.wait_lines_ok()
