"""A full disk: the database takes no writes, so every line stops claiming and leaves
inbound messages on its SIM (nothing is deleted that is not committed) until there is
room again. What a modem did meanwhile that could not be recorded is written first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from modemd.errors import ModemdError
from modemd.store import StoreFull
from modemd.store.db import Database

log = logging.getLogger(__name__)


class Unrecorded(ModemdError):
    """The modem acted (a part went out, or was refused) but the disk is full: `write`
    records it once there is room."""

    def __init__(self, error: StoreFull, write: Callable[[], None]) -> None:
        super().__init__(str(error))
        self.write = write


def recorded(write: Callable[[], None], owed: Callable[[], None] | None = None) -> None:
    """write(); on a full disk raise Unrecorded carrying owed (default: write itself)."""
    try:
        write()
    except StoreFull as error:
        raise Unrecorded(error, owed or write) from error


class StoreGate:
    """Open while the database takes writes; shared by every line of a daemon."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._closed = threading.Event()
        self._owed: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self, error: StoreFull | Unrecorded) -> None:
        with self._lock:
            if isinstance(error, Unrecorded):
                self._owed.append(error.write)
            if not self._closed.is_set():
                log.error("%s. Until then no line claims a message and inbound messages "
                          "stay on the SIMs; modemd resumes by itself", error)
            self._closed.set()

    def try_open(self) -> bool:
        """Reopen if there is room and every owed write went in; True when open."""
        with self._lock:
            if not self._closed.is_set():
                return True
            if not self.database.has_room():
                return False
            while self._owed:
                try:
                    self._owed[0]()
                except StoreFull:
                    return False
                self._owed.pop(0)
            self._closed.clear()
        log.warning("the database takes writes again: lines resume")
        return True
