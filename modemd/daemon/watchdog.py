"""systemd's watchdog, pinged only while the parts that matter answer.

The supervisor loop, the scheduler and the database each stamp a time when they
do their work; a pinger thread of its own pings WATCHDOG=1 only while every stamp
is fresh. A hung modem stalls only its worker, which is not stamped, so the pings
go on; a deadlocked store or a stuck scheduler stops them, and systemd restarts us.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from modemd.daemon.notify import notify

log = logging.getLogger(__name__)

PARTS = ("supervisor", "scheduler", "database")


class Liveness:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._stamps: dict[str, float] = {}

    def stamp(self, part: str) -> None:
        self._stamps[part] = self.clock()

    def stale(self, limit: float) -> list[str]:
        """The parts that have not answered within limit seconds."""
        now = self.clock()
        return [part for part in PARTS if now - self._stamps.get(part, -limit - 1) > limit]


class Pinger:
    """Pings every interval (half of WatchdogSec) while nothing is stale."""

    def __init__(self, liveness: Liveness, interval: float, limit: float) -> None:
        self.liveness = liveness
        self.interval = interval
        self.limit = limit
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="watchdog", daemon=True)
        self._silent: list[str] = []

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            stale = self.liveness.stale(self.limit)
            if not stale:
                notify("WATCHDOG=1")
            elif stale != self._silent:
                log.error("not pinging the watchdog: %s not answering for over %.0f s; "
                          "systemd will restart the daemon", " and ".join(stale), self.limit)
            self._silent = stale
