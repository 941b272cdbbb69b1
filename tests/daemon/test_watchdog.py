"""The watchdog means something: pings go on while one modem hangs, stop while the store
is deadlocked, and come back once it answers. A real Daemon in this process, its modems
in-process emulated lines, systemd's notify socket a socket the test reads."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from modemd.config import Config, ModemConfig
from modemd.daemon import Daemon
from modemd.daemon.watchdog import Liveness

WATCHDOG_SECONDS = 2.0  # pings every 1 s; a part silent for 3 beats (3 s) stops them


class Systemd:
    """The notify socket: every datagram with the time it came."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.messages: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                self.messages.append((time.monotonic(), self.sock.recv(256).decode()))
            except TimeoutError:
                continue

    def pings(self, since: float) -> int:
        return sum(1 for at, text in self.messages if at >= since and text == "WATCHDOG=1")

    def last(self, prefix: str) -> str | None:
        return next((t for _, t in reversed(self.messages) if t.startswith(prefix)), None)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def systemd(tmp_path, monkeypatch):
    path = tmp_path / "notify"
    listener = Systemd(path)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.setenv("WATCHDOG_USEC", str(int(WATCHDOG_SECONDS * 1e6)))
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    yield listener
    listener.close()


def wait_until(what: str, done, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.05)


def test_pings_go_on_while_a_modem_hangs_and_stop_while_the_store_is_deadlocked(
        rig, systemd, tmp_path):
    for index in (1, 2):
        rig.add_line(rig_spec(index))
    config = Config(database=tmp_path / "m.db", modems=(
        ModemConfig(port="fakemodem://line1", name="desk-1"),
        ModemConfig(port="fakemodem://line2", name="desk-2")), monitor_seconds=0.5)
    daemon = Daemon(config)
    runner = threading.Thread(target=daemon.run, daemon=True)
    runner.start()
    try:
        wait_until("READY and both lines ok",
                   lambda: systemd.last("STATUS=") == "STATUS=lines ok 2/2, queue 0")
        assert ("READY=1" in [text for _, text in systemd.messages])

        rig.fault("line2", "hang")  # one modem stops answering: its worker alone stalls
        hung = time.monotonic()
        wait_until("desk-2 seen in trouble",
                   lambda: systemd.last("STATUS=") == "STATUS=lines ok 1/2, queue 0",
                   timeout=40)
        time.sleep(max(0.0, hung + 4 - time.monotonic()))
        hung_for = time.monotonic() - hung
        assert systemd.pings(since=hung) >= hung_for - 2, systemd.messages

        held, release = threading.Event(), threading.Event()

        def deadlock() -> None:  # a writer that never commits: every other writer waits
            with daemon.store.database.write():
                held.set()
                release.wait()

        threading.Thread(target=deadlock, daemon=True).start()
        held.wait()
        locked = time.monotonic()
        time.sleep(3 + 1 + 1.5)  # past the 3 s limit, then a ping interval and a margin
        assert systemd.pings(since=locked + 3 + 1) == 0, "pinged with the store deadlocked"

        release.set()
        unlocked = time.monotonic()
        wait_until("pings again once the store answers", lambda: systemd.pings(unlocked) >= 2)
    finally:
        daemon.stop_requested.set()
        runner.join(timeout=30)
    assert not runner.is_alive()
    assert systemd.last("STOPPING") == "STOPPING=1"


def test_liveness_names_each_part_that_has_not_answered():
    now = [100.0]
    liveness = Liveness(clock=lambda: now[0])
    assert liveness.stale(3.0) == ["supervisor", "scheduler", "database"]
    for part in ("supervisor", "scheduler", "database"):
        liveness.stamp(part)
    now[0] += 2.0
    liveness.stamp("supervisor")
    now[0] += 1.5
    assert liveness.stale(3.0) == ["scheduler", "database"]


def rig_spec(index: int):
    from modemd.emulator.spec import LineSpec  # noqa: PLC0415

    return LineSpec.numbered(index)
