"""What other threads hand a line's worker: URC events, jobs, and plain wake-ups.

The channel's URC thread, the daemon's scheduler and `modemd send`'s nudge all only
post here; the worker takes everything on its own thread, so no modem command ever
runs anywhere else.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator


class Mailbox:
    def __init__(self) -> None:
        self._events: queue.Queue[object] = queue.Queue()
        self._wake = threading.Event()

    def post(self, event: object) -> None:
        self._events.put(event)
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def wait(self, timeout: float) -> None:
        """Until a post or a wake-up (or timeout); then quiet again."""
        self._wake.wait(timeout)
        self._wake.clear()

    def quiet(self) -> None:
        """Forget wake-ups so far (events stay)."""
        self._wake.clear()

    @property
    def empty(self) -> bool:
        return self._events.empty()

    def take(self) -> Iterator[object]:
        """Every event posted so far, oldest first."""
        while True:
            try:
                yield self._events.get_nowait()
            except queue.Empty:
                return
