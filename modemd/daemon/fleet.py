"""The modems the daemon drives: the ports listed by hand, and every port `discover`
finds, as they come and go. One worker per modem, found again by its identity.

- A new port gets a worker at once; the modem's IMEI and its SIM's ICCID pick its
  [[modem]] settings (name, PIN), wherever it is plugged in.
- A port that vanishes keeps its worker for a grace period (a USB reset, a replug);
  after that the worker stops, the line is left offline, and its queued messages
  that are not pinned to it may go out on another line.
- A second port that answers with an IMEI already driven is another AT port of the
  same modem: it is left alone. If the first port is gone, the modem moved (it
  re-enumerated under another name): the new port takes over at once.
- A discovered port that never says who it is (a GPS or diagnostics port) is left
  alone until it disappears.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from modemd.config import Config, ModemConfig
from modemd.modem import Identity
from modemd.services.discovery import scan
from modemd.services.worker import DuplicatePort, LineWorker
from modemd.store import Store

log = logging.getLogger(__name__)

SILENT_PROBES = 3  # failed sessions before a port that never identified is left alone

WorkerFactory = Callable[[ModemConfig], LineWorker]


class Fleet:
    def __init__(self, config: Config, store: Store, make: WorkerFactory,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.store = store
        self._make = make
        self._clock = clock
        self._lock = threading.RLock()
        self.fixed = [self._new(modem) for modem in config.fixed]
        self.found: dict[str, LineWorker] = {}  # by the path the glob matched
        self._missing: dict[str, float] = {}  # path -> when it vanished
        self._ignored: dict[str, str] = {}  # path -> why it is left alone
        self._retiring: list[LineWorker] = []

    @property
    def workers(self) -> list[LineWorker]:
        with self._lock:
            return self.fixed + list(self.found.values())

    def start(self) -> None:
        for worker in self.fixed:
            worker.start()
        self.tick()

    def _new(self, modem: ModemConfig) -> LineWorker:
        worker = self._make(modem)
        worker.on_identity = self.identify
        return worker

    # ---- the supervisor's tick: scan, start, retire -----------------------------------

    def tick(self) -> None:
        """Look at the ports now (cheap: a glob and a stat per match)."""
        if not self.config.discover:
            return
        present = scan(self.config.discover, taken=[w.port for w in self.fixed])
        with self._lock:
            self._forget_ignored(present)
            for path in present:
                self._missing.pop(path, None)
                if path not in self.found and path not in self._ignored:
                    self._discovered(path)
            for path in [p for p in self.found if p not in present]:
                self._vanished(path)
            self._drop_silent()
        self._finish_retired()

    def _discovered(self, path: str) -> None:
        log.info("port %s appeared: starting a worker", path)
        worker = self._new(ModemConfig(port=path))
        self.found[path] = worker
        worker.start()

    def _vanished(self, path: str) -> None:
        since = self._missing.setdefault(path, self._clock())
        gone_for = self._clock() - since
        if gone_for >= self.config.discover_grace_seconds:
            self._retire(path, f"port {path} gone for {gone_for:.0f} s")

    def _retire(self, path: str, reason: str, *, moved: bool = False) -> None:
        worker = self.found.pop(path)
        self._missing.pop(path, None)
        log.info("line %s: %s; stopping its worker", worker.name, reason)
        worker.retire(reason, moved=moved)
        self._retiring.append(worker)

    def _drop_silent(self) -> None:
        """Workers that ended by themselves (duplicates) or never identified."""
        for path, worker in list(self.found.items()):
            if worker.duplicate is not None and not worker.alive:
                self._ignored[path] = str(worker.duplicate)
                del self.found[path]
            elif worker.imei is None and worker.line_id is None \
                    and worker.failures >= SILENT_PROBES:
                self._ignored[path] = "never answered as a modem"
                log.warning("port %s never answered as a modem after %d tries: left alone "
                            "until it is unplugged", path, worker.failures)
                worker.request_stop()
                self._retiring.append(self.found.pop(path))

    def _forget_ignored(self, present: dict[str, str]) -> None:
        for path in [p for p in self._ignored if p not in present]:
            del self._ignored[path]  # unplugged: a new device there gets a new look

    def _finish_retired(self) -> None:
        """Once a retired worker has stopped, its line's messages may go elsewhere."""
        for worker in [w for w in self._retiring if not w.alive]:
            self._retiring.remove(worker)
            driven = {w.line_id for w in self.workers}
            if worker.line_id is not None and worker.line_id not in driven:
                freed = self.store.outbox.reassign_from(worker.line_id)
                if freed:
                    log.info("line %s: %d queued message(s) may go out on another line",
                             worker.name, freed)
                    self._wake_others()

    def _wake_others(self) -> None:
        for worker in self.workers:
            worker.wake()

    # ---- identity: called on a worker's thread as its modem says who it is ------------

    def identify(self, worker: LineWorker, identity: Identity) -> ModemConfig:
        """The settings for this hardware; DuplicatePort if another port drives it."""
        with self._lock:
            other = self._owner(identity.imei, worker)
            if other is not None:
                if (other.port in self.found and other.port not in self._missing) \
                        or other in self.fixed:
                    raise DuplicatePort(
                        f"{worker.port} is another AT port of modem {identity.imei}, "
                        f"which is driven on {other.port}: left alone")
                self._retire(other.port, f"the modem came back on {worker.port}", moved=True)
            return self._settings(worker, identity)

    def _owner(self, imei: str | None, asking: LineWorker) -> LineWorker | None:
        if not imei:
            return None
        return next((w for w in self.workers if w is not asking and w.imei == imei
                     and not w.stopping), None)

    def _settings(self, worker: LineWorker, identity: Identity) -> ModemConfig:
        if worker in self.fixed:
            return worker.config
        entry = next((m for m in self.config.by_identity
                      if m.matches(identity.imei, identity.iccid)), None)
        return entry if entry is not None else worker.config

    def request_stop(self) -> None:
        for worker in self.workers + self._retiring:
            worker.request_stop()

    def stop(self) -> None:
        self.request_stop()
        for worker in self.workers + self._retiring:
            worker.stop()
