"""The deliverer: every event a webhook or hook wants reaches it at least once, in order
per contact, however long the receiver is down (up to webhook_retry_hours).

One thread per target: a slow or dead receiver delays only its own deliveries, never a
line, nor another target. Each thread moves new events into its target's delivery rows
(store.deliveries.fan_out), then tries the due ones. It sleeps until the same nudge
`modemd watch` gets (an event was committed) or its next retry is due; a re-check
every SAFETY_SECONDS bounds what a lost nudge could cost.

A delivery is marked delivered only after the receiver took it, so a crash between
the two sends it again: receivers dedupe on X-Modemd-Delivery (the event id).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import timedelta

from modemd.config import Config
from modemd.services.receivers import HookReceiver, Refused, WebhookReceiver
from modemd.store import Store, StoreError
from modemd.store.db import utc_now
from modemd.store.deliveries import Due
from modemd.store.states import DeliveryStatus
from modemd.wake import WatchListener

log = logging.getLogger(__name__)

SAFETY_SECONDS = 30.0  # a re-check without a nudge
STORE_TROUBLE_SECONDS = 5.0  # after a store error (a full disk): try again this soon
JOIN_SECONDS = 2.0  # at stop, per thread; one stuck in a POST ends with the process
Receiver = WebhookReceiver | HookReceiver


class TargetLoop:
    """One target's thread: fan out, deliver what is due, sleep until woken or due."""

    def __init__(self, receiver: Receiver, store: Store, window: timedelta,
                 stopping: threading.Event) -> None:
        self.receiver = receiver
        self.store = store
        self.window = window
        self.stopping = stopping
        self.woken = threading.Event()
        self.thread = threading.Thread(target=self.run, name=f"deliver-{_short(receiver)}",
                                       daemon=True)

    def nudge(self) -> None:
        self.woken.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.woken.clear()  # before reading: a nudge from now on wakes the next wait
            try:
                self.store.deliveries.fan_out(self.receiver.target, self.receiver.events)
                self.drain()
                pause = self.pause()
            except (StoreError, sqlite3.Error) as error:
                if self.stopping.is_set():
                    return
                log.warning("deliveries to %s: %s; trying again in %g s", self.receiver.target,
                            error, STORE_TROUBLE_SECONDS)
                pause = STORE_TROUBLE_SECONDS
            except Exception:  # a bug must not end this target's deliveries for good
                log.exception("deliveries to %s: unexpected failure; trying again in %g s",
                              self.receiver.target, STORE_TROUBLE_SECONDS)
                pause = STORE_TROUBLE_SECONDS
            self.woken.wait(pause)

    def drain(self) -> None:
        """Deliver until nothing is due; each peer's next delivery is due once its oldest
        went, so the batches go on while the receiver takes them."""
        while not self.stopping.is_set():
            batch = self.store.deliveries.due(self.receiver.target)
            if not batch:
                return
            for due in batch:
                if self.stopping.is_set():
                    return
                self.attempt(due)

    def attempt(self, due: Due) -> None:
        deliveries = self.store.deliveries
        if due.event is None:  # pruned before it could go: nothing left to send
            deliveries.attempt_failed(due.id, "the event is no longer kept (retention)",
                                      timedelta(0))
            return
        try:
            self.receiver.deliver(due.event)
        except Refused as refused:
            status = deliveries.attempt_failed(due.id, str(refused), self.window)
            if status is DeliveryStatus.FAILED:
                log.warning("delivery %d (event %d) to %s failed for good after %d attempts: "
                            "%s; `modemd hooks retry %d` tries again", due.id, due.event_id,
                            self.receiver.target, due.attempts + 1, refused, due.id)
            else:
                log.info("delivery %d (event %d) to %s: %s; retried later", due.id,
                         due.event_id, self.receiver.target, refused)
            return
        deliveries.delivered(due.id)

    def pause(self) -> float:
        """Seconds until the next retry is due (at most SAFETY_SECONDS)."""
        due = self.store.deliveries.next_due(self.receiver.target)
        if due is None:
            return SAFETY_SECONDS
        return min(SAFETY_SECONDS, max(0.05, (due - utc_now()).total_seconds()))


class Deliverer:
    """The daemon's part that delivers events to every configured webhook and hook."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config, self.store = config, store
        self.stopping = threading.Event()
        window = timedelta(hours=config.webhook_retry_hours)
        receivers: list[Receiver] = [*(WebhookReceiver(hook) for hook in config.webhooks),
                                     *(HookReceiver(hook) for hook in config.hooks)]
        self.loops = [TargetLoop(receiver, store, window, self.stopping)
                      for receiver in receivers]
        self._listener: WatchListener | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        abandoned = self.store.deliveries.abandon(loop.receiver.target for loop in self.loops)
        if abandoned:
            log.warning("%d pending deliveries failed: their webhook or hook is no longer "
                        "configured (`modemd hooks` lists them)", abandoned)
        if not self.loops:
            return
        # bound before the first fan-out reads the events: no commit falls between
        self._listener = WatchListener(self.config.database)
        self._thread = threading.Thread(target=self._listen, name="deliver-wake", daemon=True)
        self._thread.start()
        for loop in self.loops:
            loop.thread.start()
        log.info("delivering events to %d webhook(s) and %d hook(s)",
                 len(self.config.webhooks), len(self.config.hooks))

    def _listen(self) -> None:
        listener = self._listener
        while listener is not None and not self.stopping.is_set():
            if listener.wait(1.0):
                for loop in self.loops:
                    loop.nudge()

    def stop(self) -> None:
        """End the threads; a hook in flight is killed, and what was not marked delivered
        goes again at the next start."""
        self.stopping.set()
        for loop in self.loops:
            loop.receiver.stop()
            loop.nudge()
        for loop in self.loops:
            if loop.thread.is_alive():
                loop.thread.join(JOIN_SECONDS)
        if self._thread is not None:
            self._thread.join(JOIN_SECONDS)
        if self._listener is not None:
            self._listener.close()
            self._listener = None


def _short(receiver: Receiver) -> str:
    """A thread name: the url's host or the command's program."""
    if isinstance(receiver, WebhookReceiver):
        return receiver.webhook.url.split("/")[2][:24]
    return receiver.hook.command[0].rsplit("/", 1)[-1][:24]
