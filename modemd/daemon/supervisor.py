"""The daemon: the fleet of line workers, scheduler jobs, wake-ups, signals, sd_notify,
the watchdog and the metrics endpoint."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler

from modemd.config import Config, ModemConfig
from modemd.daemon.fleet import Fleet
from modemd.daemon.notify import notify, watchdog_interval
from modemd.daemon.timetable import Timetable
from modemd.daemon.watchdog import Liveness, Pinger
from modemd.errors import InvalidInputError
from modemd.services.discovery import UdevHint
from modemd.services.gate import StoreGate, Unrecorded, recorded
from modemd.services.worker import LineWorker
from modemd.store import LineState, Store, StoreError, StoreFull
from modemd.store.retention import prune
from modemd.store.runs import BEAT_SECONDS
from modemd.wake import WakeListener

log = logging.getLogger(__name__)

REOPEN_SECONDS = 5  # how soon a freed disk is noticed
TICK_SECONDS = 0.5  # the supervisor loop: signals, scans, the watchdog's first stamp
RELEASE_SECONDS = 30  # scheduled messages due: in case a timer was missed (a full disk)


class Service(Protocol):
    """A part of the daemon made by a higher layer (the HTTP API): started with the
    daemon's extras (start() raising refuses the start), stopped before the store closes."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class Daemon:
    def __init__(self, config: Config, stop_requested: threading.Event | None = None,
                 services: Sequence[Service] = ()) -> None:
        """stop_requested: set by whoever took SIGTERM first (`modemd run` does, before
        it opens anything, so an early stop is a clean one too). services: started after
        the metrics endpoint, stopped in reverse order at shutdown."""
        self.stop_requested = stop_requested or threading.Event()
        self._services = tuple(services)
        if not config.fixed and not config.discover:
            raise InvalidInputError(
                "no modems configured: add [[modem]] port = ... or discover = [globs] to "
                "the configuration, or pass --port PATH (repeatable)")
        self.daemon_lock = Store.lock_for_daemon(config.database)  # refuse before touching
        self.config = config
        self.store = Store(config.database)
        self.gate = StoreGate(self.store.database)
        self.fleet = Fleet(config, self.store, self._worker)
        self.scheduler = BackgroundScheduler(timezone="UTC")
        self.timetable = Timetable(self.scheduler, self.store, self._guarded(self._release_due))
        self._listener = WakeListener(config.database)
        self.liveness = Liveness()
        self._rescan = threading.Event()
        self._last_scan = 0.0
        self._run_id: int | None = None
        self._extras: list[Callable[[], None]] = []  # stops for what run() started
        self._fleet_started = False  # a start refused before it (a port in use) has none

    def _worker(self, modem: ModemConfig) -> LineWorker:
        return LineWorker(modem, self.store, later=self.later, wake_all=self.wake_all,
                          gate=self.gate)

    @property
    def workers(self) -> list[LineWorker]:
        return self.fleet.workers

    def run(self) -> None:
        """Until SIGTERM/SIGINT: then finish in-flight parts, close ports, return."""
        try:
            self._start()
        except BaseException:  # e.g. the metrics port is taken: leave as a stop would
            self.shutdown()
            raise
        notify("READY=1")
        self._status()
        while not self.stop_requested.wait(TICK_SECONDS):
            self.liveness.stamp("supervisor")
            if self._rescan.is_set() or self._scan_due():
                self._rescan.clear()
                self.fleet.tick()
        self.shutdown()

    def _start(self) -> None:
        self.liveness.stamp("supervisor")
        self._begin()
        self._install_signals()
        self._start_extras()  # first: a metrics port in use refuses before any modem
        self._schedule()
        self.timetable.sync()  # what `send --at` left in the database, due ones at once
        self._fleet_started = True
        self.fleet.start()
        threading.Thread(target=self._wake_loop, name="wake", daemon=True).start()

    def _begin(self) -> None:
        """Settle what a crash left, and open this run's record (once there is room, on
        a full disk: the gate runs it when it reopens)."""
        try:
            recorded(self._recover)
        except Unrecorded as error:
            self.gate.close(error)

    def _recover(self) -> None:
        interrupted = self.store.outbox.recover_interrupted()
        if interrupted:
            log.warning("messages %s were interrupted after their PDU was written: now "
                        "`unknown`, never resent without an agent", interrupted)
        if self._run_id is None:
            self._run_id = self.store.runs.begin(os.getpid(), _version())
        self.store.runs.interrupted(self._run_id, len(interrupted))

    def _start_extras(self) -> None:
        hint = UdevHint(self._rescan)
        self._extras.append(hint.close)
        address = self.config.metrics_address
        if address is not None:
            from modemd.daemon.metrics import MetricsServer  # noqa: PLC0415  (only if asked)

            server = MetricsServer(address, self.store)
            server.start()
            self._extras.append(server.stop)
        for service in self._services:
            service.start()
            self._extras.append(service.stop)
        interval = watchdog_interval()
        if interval:
            pinger = Pinger(self.liveness, interval, limit=3 * self._beat_seconds())
            pinger.start()
            self._extras.append(pinger.stop)
        if self.config.webhooks or self.config.hooks:
            from modemd.services.delivery import Deliverer  # noqa: PLC0415  (only if asked)

            deliverer = Deliverer(self.config, self.store)
            deliverer.start()
            self._extras.append(deliverer.stop)

    def shutdown(self) -> None:
        notify("STOPPING=1")
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._fleet_started:
            self.fleet.stop()  # every line finishes its part in flight
        for stop in reversed(self._extras):
            stop()
        self._listener.close()
        if self._run_id is not None:
            try:
                self.store.runs.end(self._run_id)
            except StoreError as error:
                log.warning("could not record the clean stop: %s", error)
        self.store.close()
        self.daemon_lock.release()

    def wake_all(self) -> None:
        for worker in self.workers:
            worker.wake()

    def later(self, delay: timedelta, job: Callable[[], None]) -> None:
        """A one-off scheduler job: a retry's backoff, a paused line's re-check."""
        self.scheduler.add_job(job, "date",
                               run_date=datetime.now(UTC) + delay + timedelta(milliseconds=50))

    def _install_signals(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: self.stop_requested.set())

    def _wake_loop(self) -> None:
        while not self.stop_requested.is_set():
            if self._listener.wait(1.0):
                self.wake_all()
                self.timetable.sync()  # a new `send --at`, or a `cancel`

    def _scan_due(self) -> bool:
        now = self.liveness.clock()
        if now - self._last_scan < self.config.scan_seconds:
            return False
        self._last_scan = now
        return True

    def _beat_seconds(self) -> float:
        """Heartbeats come this often: a fraction of WatchdogSec, at most BEAT_SECONDS."""
        interval = watchdog_interval()
        return max(0.5, min(BEAT_SECONDS, interval / 2)) if interval else BEAT_SECONDS

    def _schedule(self) -> None:
        config, add = self.config, self.scheduler.add_job
        every = {"coalesce": True, "max_instances": 1}
        add(self._per_line("monitor"), "interval", seconds=config.monitor_seconds, **every)
        add(self._per_line("sweep"), "interval", minutes=config.sweep_minutes, **every)
        add(self._guarded(self._reassembly), "interval", seconds=30, **every)
        add(self._guarded(self._deadlines), "interval", minutes=10, **every)
        add(self._reopen, "interval", seconds=REOPEN_SECONDS, **every)
        add(self._guarded(self._release_due), "interval", seconds=RELEASE_SECONDS, **every)
        beat = self._beat_seconds()
        now = datetime.now(UTC)
        add(self._scheduler_beat, "interval", seconds=beat, next_run_time=now, **every)
        add(self._database_beat, "interval", seconds=beat, next_run_time=now, **every)
        if config.retention_days is not None:
            add(self._guarded(self._prune), "interval", hours=1,
                next_run_time=datetime.now(UTC) + timedelta(seconds=5), **every)
        self.scheduler.start()

    def _per_line(self, job: str) -> Callable[[], None]:
        def request() -> None:
            for worker in self.workers:
                worker.request(job)

        return request

    def _guarded(self, job: Callable[[], None]) -> Callable[[], None]:
        """A job that writes: skipped while the disk is full, and it may find it full."""
        def run() -> None:
            if not self.gate.closed:
                try:
                    job()
                except StoreFull as error:
                    self.gate.close(error)

        return run

    def _reopen(self) -> None:
        if self.gate.closed and self.gate.try_open():
            self._per_line("sweep")()  # what arrived meanwhile waits on the SIMs
            self.wake_all()

    def _release_due(self) -> None:
        """Scheduled messages whose time has come join the queue; a line takes them now."""
        released = self.store.schedule.release_due()
        if released:
            log.info("scheduled messages %s are due: queued", released)
            self.wake_all()

    def _reassembly(self) -> None:
        self.store.inbox.flush_incomplete(timedelta(minutes=self.config.reassembly_timeout_minutes))

    def _deadlines(self) -> None:
        self.store.reports.overdue(timedelta(hours=self.config.report_deadline_hours))

    def _prune(self) -> None:
        pruned = prune(self.store.database, self.config.retention_days or 0)
        if any(pruned.values()):
            log.info("retention: pruned %s", pruned)

    def _scheduler_beat(self) -> None:
        self.liveness.stamp("scheduler")

    def _database_beat(self) -> None:
        """The heartbeat `modemd health` reads, and STATUS=. A store that answers with an
        error (a full disk, a lock held elsewhere) still answers; one that hangs does not."""
        try:
            if self._run_id is not None:
                self.store.runs.beat(self._run_id)
            self._status()
        except StoreError as error:
            log.debug("heartbeat not stored: %s", error)
        self.liveness.stamp("database")

    def _status(self) -> None:
        workers = self.workers
        up = sum(worker.life.state is LineState.OK for worker in workers)
        depth = self.store.stats.queue()["depth"]
        notify(f"STATUS=lines ok {up}/{len(workers)}, queue {depth}")


def _version() -> str | None:
    try:
        return version("modemd")
    except PackageNotFoundError:
        return None
