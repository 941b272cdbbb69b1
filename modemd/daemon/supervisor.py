"""The daemon: one worker per modem, scheduler jobs, wake-ups, signals, sd_notify."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from modemd.config import Config
from modemd.daemon.notify import notify, watchdog_interval
from modemd.errors import InvalidInputError
from modemd.services.gate import StoreGate, Unrecorded, recorded
from modemd.services.worker import LineWorker
from modemd.store import Store, StoreFull
from modemd.wake import WakeListener

log = logging.getLogger(__name__)

REOPEN_SECONDS = 5  # how soon a freed disk is noticed


class Daemon:
    def __init__(self, config: Config, stop_requested: threading.Event | None = None) -> None:
        """stop_requested: set by whoever took SIGTERM first (`modemd run` does, before
        it opens anything, so an early stop is a clean one too)."""
        self.stop_requested = stop_requested or threading.Event()
        if not config.modems:
            raise InvalidInputError(
                "no modems configured: add [[modem]] port = ... to the configuration or "
                "pass --port PATH (repeatable)")
        self.daemon_lock = Store.lock_for_daemon(config.database)  # refuse before touching
        self.config = config
        self.store = Store(config.database)
        self.gate = StoreGate(self.store.database)
        self.workers = [LineWorker(modem, self.store, later=self.later, wake_all=self.wake_all,
                                   gate=self.gate) for modem in config.modems]
        self.scheduler = BackgroundScheduler(timezone="UTC")
        self._listener = WakeListener(config.database)

    def run(self) -> None:
        """Until SIGTERM/SIGINT: then finish in-flight parts, close ports, return."""
        try:
            recorded(self._recover)
        except Unrecorded as error:  # a full disk: recover once there is room
            self.gate.close(error)
        self._install_signals()
        self._schedule()
        for worker in self.workers:
            worker.start()
        threading.Thread(target=self._wake_loop, name="wake", daemon=True).start()
        notify("READY=1")
        notify(f"STATUS=serving {len(self.workers)} modem(s)")
        self.stop_requested.wait()
        self.shutdown()

    def shutdown(self) -> None:
        notify("STOPPING=1")
        self.scheduler.shutdown(wait=False)
        for worker in self.workers:
            worker.request_stop()  # all at once, then wait for each
        for worker in self.workers:
            worker.stop()
        self._listener.close()
        self.store.close()
        self.daemon_lock.release()

    def _recover(self) -> None:
        interrupted = self.store.outbox.recover_interrupted()
        if interrupted:
            log.warning("messages %s were interrupted after their PDU was written: now "
                        "`unknown`, never resent without an agent", interrupted)

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

    def _schedule(self) -> None:
        config, add = self.config, self.scheduler.add_job
        every = {"coalesce": True, "max_instances": 1}
        add(self._per_line("monitor"), "interval", seconds=config.monitor_seconds, **every)
        add(self._per_line("sweep"), "interval", minutes=config.sweep_minutes, **every)
        add(self._guarded(self._reassembly), "interval", seconds=30, **every)
        add(self._guarded(self._deadlines), "interval", minutes=10, **every)
        add(self._reopen, "interval", seconds=REOPEN_SECONDS, **every)
        interval = watchdog_interval()
        if interval:
            add(self._watchdog, "interval", seconds=interval, **every)
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

    def _reassembly(self) -> None:
        self.store.inbox.flush_incomplete(timedelta(minutes=self.config.reassembly_timeout_minutes))

    def _deadlines(self) -> None:
        self.store.reports.overdue(timedelta(hours=self.config.report_deadline_hours))

    def _watchdog(self) -> None:
        notify("WATCHDOG=1")
