"""Scheduled messages as scheduler jobs: one "date" job per `scheduled` message, kept
equal to the database (at start, and whenever `modemd send` or `cancel` pokes), so a
restart rebuilds them all and a cancelled one loses its job."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler

from modemd.store import Store, StoreError

log = logging.getLogger(__name__)

PREFIX = "scheduled-"
LATE = timedelta(milliseconds=50)  # a job firing on the dot might see its time not yet come


class Timetable:
    def __init__(self, scheduler: BaseScheduler, store: Store,
                 release: Callable[[], None]) -> None:
        """release: what a job runs (the daemon's guarded release of due messages)."""
        self.scheduler = scheduler
        self.store = store
        self.release = release

    def sync(self) -> None:
        """A job per scheduled message at its time (one already due: now); jobs of
        messages no longer scheduled go. A database that cannot answer now leaves the
        jobs as they were: the daemon's periodic release still finds what is due."""
        try:
            wanted = {f"{PREFIX}{message_id}": _moment(at)
                      for message_id, at in self.store.schedule.scheduled()}
        except StoreError as error:
            log.warning("scheduled messages not read (their timers stay as they were): %s",
                        error)
            return
        jobs = {job.id for job in self.scheduler.get_jobs() if job.id.startswith(PREFIX)}
        for job_id in jobs - wanted.keys():
            with contextlib.suppress(JobLookupError):  # it fired meanwhile
                self.scheduler.remove_job(job_id)
        now = datetime.now(UTC)
        for job_id in wanted.keys() - jobs:  # a message's time never changes: new ones only
            self.scheduler.add_job(self.release, "date", run_date=max(wanted[job_id], now) + LATE,
                                   id=job_id, replace_existing=True, misfire_grace_time=None)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
