"""A real LineWorker (or sender) on a real store, its modem an in-process emulated line
behind the fakemodem:// URL handler. The daemon's scheduler and clock are stand-ins
the test drives."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from modemd.config import ModemConfig
from modemd.emulator.rig import Rig
from modemd.emulator.spec import LineSpec
from modemd.services.worker import LineWorker
from modemd.store import LineState, Store, prepare

CUSTOMER = "+12015550199"
T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T], done: Callable[[T], Any] = bool,
             timeout: float = 10.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s; last seen {value!r}")
        time.sleep(0.02)


class Later:
    """The daemon's one-off jobs: kept, so a test runs them when it likes."""

    def __init__(self) -> None:
        self.jobs: list[tuple[timedelta, Callable[[], None]]] = []

    def __call__(self, delay: timedelta, job: Callable[[], None]) -> None:
        self.jobs.append((delay, job))

    def delays(self) -> list[float]:
        return [delay.total_seconds() for delay, _ in self.jobs]

    def run_all(self) -> None:
        jobs, self.jobs = self.jobs, []
        for _, job in jobs:
            job()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Bench:
    """One emulated line, its worker, and what a test looks at."""

    def __init__(self, rig: Rig, store: Store, name: str = "line1") -> None:
        self.rig, self.store, self.name = rig, store, name
        rig.add_line(LineSpec.numbered(int(name.removeprefix("line"))))
        self.later, self.clock = Later(), Clock()
        self.worker = LineWorker(ModemConfig(port=f"fakemodem://{name}", name=name), store,
                                 later=self.later, wake_all=self._wake, clock=self.clock)

    def _wake(self) -> None:  # the daemon wakes every line; there is one here
        self.worker.wake()

    def start(self) -> Bench:
        self.worker.start()
        self.wait_state(LineState.OK)
        return self

    def line(self) -> dict:
        return next(row for row in self.store.lines.all() if row["id"] == self.worker.line_id)

    def wait_state(self, state: LineState, timeout: float = 10.0) -> dict:
        return wait_for(f"line {self.name} {state}",
                        lambda: self.store.lines.all() and self.worker.line_id and self.line(),
                        lambda row: row and row["state"] == state, timeout)

    def queue(self, text: str = "hello", to: str = CUSTOMER) -> int:
        message_id = self.store.outbox.enqueue(prepare(to, text, operator="alice"))
        self.worker.wake()
        return message_id

    def message(self, message_id: int) -> dict:
        row = self.store.database.one("SELECT * FROM messages WHERE id = ?", (message_id,))
        assert row is not None
        return row

    def parts(self, message_id: int) -> list[dict]:
        return self.store.database.query(
            "SELECT * FROM outbound_parts WHERE message_id = ? ORDER BY seq", (message_id,))

    def wait_message(self, message_id: int, *statuses: str, timeout: float = 10.0) -> dict:
        return wait_for(f"message {message_id} {'/'.join(statuses)}",
                        lambda: self.message(message_id),
                        lambda row: row["status"] in statuses, timeout)

    def wait_out(self, message_id: int, timeout: float = 10.0) -> dict:
        """Until the message left: sent, or already delivered (reports can be quick)."""
        return self.wait_message(message_id, "sent", "delivered", timeout=timeout)

    def sent_to_modem(self, text: str) -> list[str]:
        """Every command line the modem received that starts with text."""
        received = "".join(e["text"] for e in self.rig.transcript(self.name)
                           if e["dir"] == "rx")
        return [line for line in received.replace("\n", "\r").split("\r")
                if line.lstrip("\x1b").startswith(text)]

    def monitor(self) -> None:
        """Run the periodic monitor on the worker and wait until it has written its row."""
        before = self.line()["last_seen_at"]
        self.worker.request("monitor")
        wait_for("the monitor ran", lambda: self.line()["last_seen_at"] > before)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "m.db")
    yield store
    store.close()


@pytest.fixture
def bench(rig: Rig, store: Store) -> Iterator[Bench]:
    bench = Bench(rig, store)
    yield bench
    bench.worker.stop(timeout=20)
    assert not bench.worker._thread.is_alive(), "the worker did not stop"
