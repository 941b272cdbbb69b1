"""Interop fixtures: real `modemd emulator` processes, gammu scenarios, GsmModem sessions.

gammu takes 3-5 s per command (it paces its own init), so every gammu scenario a
selected test module declares (GAMMU_SCENARIOS: name -> (rig, function)) starts in
a background thread as soon as the first interop test runs; a test then waits
only for its own scenario. Each scenario owns its lines of its rig, so scenarios
never share a port.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from gsmmodem.modem import GsmModem

from .support import Emulator, Gammu

REQUIRE_ENV = "MODEMD_REQUIRE_INTEROP"

# Every emulator the interop tests start: name -> `modemd emulator` arguments.
RIGS: dict[str, list[str]] = {
    # line N has the N-th profile; lines 6-10 are generic sinks for what lines 1-5 send.
    "vendors": ["--lines", "10", "--profile", "generic", "--profile", "quectel",
                "--profile", "simcom", "--profile", "huawei", "--profile", "sierra",
                "--profile", "generic"],
    "traffic": ["--lines", "8"],
    "pin": ["--lines", "6", "--pin", "1234"],
    # line 13 quectel, 14 sierra, the others generic.
    "gsmmodem": ["--lines", "18", *["--profile", "generic"] * 12, "--profile", "quectel",
                 "--profile", "sierra", "--profile", "generic"],
}

Scenario = Callable[[Gammu], dict[str, Any]]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the gammu tests last among the interop tests, so that the GsmModem tests run
    while the gammu scenarios work in the background. Other tests keep their places."""
    slots = [i for i, item in enumerate(items) if Path(__file__).parent in item.path.parents]
    ours = sorted((items[i] for i in slots), key=lambda item: hasattr(
        getattr(item, "module", None), "GAMMU_SCENARIOS"))
    for slot, item in zip(slots, ours, strict=True):
        items[slot] = item


class Rigs:
    """The emulators of this session, started on first use, stopped at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.running: dict[str, Emulator] = {}
        self.lines: dict[str, list[dict]] = {}
        self._lock = threading.Lock()

    def start(self, *names: str) -> None:
        """Start several rigs at once and wait until every line answers."""
        with self._lock:
            fresh = [n for n in names if n not in self.running]
            for name in fresh:
                self.running[name] = Emulator(self.root / name, RIGS[name]).start()
            for name in fresh:
                self.lines[name] = self.running[name].wait_ready()

    def __getitem__(self, name: str) -> Emulator:
        self.start(name)
        return self.running[name]

    def line(self, rig: str, index: int) -> dict:
        """What `lines --json` said about line N at start (imei, imsi, number...)."""
        self.start(rig)
        return self.lines[rig][index - 1]

    def stop(self) -> dict[str, int]:
        """SIGTERM to every emulator at once, then their exit statuses."""
        for emulator in self.running.values():
            emulator.terminate()
        return {name: emulator.stop() for name, emulator in self.running.items()}


@pytest.fixture(scope="session")
def rigs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rigs]:
    pool = Rigs(tmp_path_factory.mktemp("interop"))
    yield pool
    statuses = pool.stop()
    assert all(code == 0 for code in statuses.values()), (
        f"`modemd emulator` must exit 0 on SIGTERM; got {statuses}"
    )


def gammu_missing() -> None:
    """Skip, or fail when CI demands the third-party clients."""
    message = "gammu is not installed (apt-get install gammu)"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message}, and {REQUIRE_ENV}=1 says the interop tests must run")
    pytest.skip(message)


class Scenarios:
    """gammu scenarios running in the background; result(name) waits for one."""

    def __init__(self, binary: str | None) -> None:
        self.binary = binary
        self._futures: dict[str, Future[dict[str, Any]]] = {}
        self._pool = ThreadPoolExecutor(max_workers=24, thread_name_prefix="gammu")

    def start(self, name: str, scenario: Scenario, gammu: Gammu) -> None:
        self._futures[name] = self._pool.submit(scenario, gammu)

    def result(self, name: str) -> dict[str, Any]:
        if self.binary is None:
            gammu_missing()
        return self._futures[name].result(timeout=180)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session", autouse=True)
def gammu_scenarios(request: pytest.FixtureRequest, rigs: Rigs) -> Iterator[Scenarios]:
    wanted: dict[str, tuple[str, Scenario]] = {}
    for item in request.session.items:
        wanted.update(getattr(getattr(item, "module", None), "GAMMU_SCENARIOS", {}))
    scenarios = Scenarios(shutil.which("gammu"))
    if wanted and scenarios.binary:
        rigs.start(*sorted({rig for rig, _ in wanted.values()}))
        for name, (rig, scenario) in wanted.items():
            scenarios.start(name, scenario, Gammu(scenarios.binary, rigs[rig]))
    yield scenarios
    scenarios.close()


@pytest.fixture(scope="session")
def gsm_rig(rigs: Rigs) -> Emulator:
    return rigs["gsmmodem"]


@pytest.fixture(scope="session")
def pin_rig(rigs: Rigs) -> Emulator:
    return rigs["pin"]


@pytest.fixture
def gsm_modem() -> Iterator[Callable[..., GsmModem]]:
    """Factory: GsmModem(port, **kwargs), connected (connect={"pin": ...}), closed after."""
    opened: list[GsmModem] = []

    def open_modem(port: str, connect: dict | None = None, **kwargs: Any) -> GsmModem:
        modem = GsmModem(port, **kwargs)
        modem.timeout = 0.1  # its reader polls every 0.1 s, so close() is quick
        opened.append(modem)
        try:
            modem.connect(**(connect or {}))
        except Exception:
            close(modem)  # free the port for the next attempt
            raise
        return modem

    yield open_modem
    handlers_done()
    for modem in opened:
        close(modem)


def handlers_done(timeout: float = 3.0) -> None:
    """Let GsmModem's notification threads finish (they read, then AT+CMGD) before the
    port closes under them; a cut-off one times out 10 s later in the background."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        "HandleModemNotification" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.02)


def close(modem: GsmModem) -> None:
    if hasattr(modem, "rxThread"):
        with contextlib.suppress(Exception):  # a test may have broken it on purpose
            modem.close()
