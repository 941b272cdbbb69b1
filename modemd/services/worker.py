"""One worker per modem: it owns the port, sends, receives, and comes back from trouble.

A hung, unplugged or PIN-locked modem only ever stalls its own worker.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from modemd.at import AtChannel, AtError, AtTimeout, Urc
from modemd.config import ModemConfig
from modemd.modem import (
    Direct,
    Identity,
    Modem,
    PinRejected,
    RegistrationChanged,
    SimError,
    Stored,
    interpret,
)
from modemd.services import receiver, sender
from modemd.services.policy import Action, Decision
from modemd.services.recovery import Ladder
from modemd.store import LineIdentity, Store, chooser
from modemd.transport import SerialTransport, TransportError

log = logging.getLogger(__name__)

IDLE_WAIT = 15.0  # a safety net; new work arrives as a wake-up
SIM_RETRY = 60.0
MAX_BACKOFF = 30.0
PAUSE_RECHECK = timedelta(seconds=15)
TROUBLE = frozenset({"offline", "unresponsive", "sim_error", "pin_rejected", "paused",
                     "no_service", "error"})


class LineWorker:
    def __init__(self, config: ModemConfig, store: Store,
                 later: Callable[[timedelta, Callable[[], None]], None],
                 wake_all: Callable[[], None]) -> None:
        self.config = config
        self.store = store
        self.later = later  # the daemon's scheduler runs a job after a delay
        self.wake_all = wake_all  # every line looks at the queue again
        self.name = config.name or config.port
        self.line_id: int | None = None
        self.state = "starting"
        self._events: queue.Queue[object] = queue.Queue()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._failures = 0
        self._silent = 0  # sessions in a row that ended with the modem not answering
        self._ladder = Ladder()
        self._thread = threading.Thread(target=self._run, name=f"line-{self.name}", daemon=True)

    # ---- control from the daemon ---------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def request(self, job: str) -> None:
        """Ask for a periodic job ("sweep", "monitor") on this worker's own thread."""
        self._events.put(job)
        self._wake.set()

    def request_stop(self) -> None:
        """Stop after the part in flight; returns at once (stop() waits)."""
        self._stopping.set()
        self._wake.set()

    def stop(self, timeout: float = 190.0) -> None:
        """Finish the part in flight, then close the port."""
        self.request_stop()
        self._thread.join(timeout)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # ---- the life of a connection -------------------------------------------------------

    def _run(self) -> None:
        self._serve_until_stopped()
        self._set_state("stopped", "the daemon stopped")

    def _serve_until_stopped(self) -> None:
        while not self.stopping:
            try:
                self._session()
                self._failures = 0
            except (TransportError, AtError, SimError) as error:
                self._failures += 1
                self._trouble(error)
            except Exception:  # a bug must not kill the line for good: log, back off, retry
                self._failures += 1
                log.exception("line %s: unexpected failure", self.name)
                self._set_state("error", "unexpected failure; see the log")
                self._pause(min(MAX_BACKOFF, 2.0 ** self._failures))

    def _trouble(self, error: Exception) -> None:
        if isinstance(error, PinRejected):
            self._set_state("pin_rejected", str(error))
            self._pause(float("inf"))  # stopped until restarted with another PIN
        elif isinstance(error, SimError):
            self._set_state("sim_error", str(error))
            self._pause(SIM_RETRY)
        elif isinstance(error, TransportError):
            self._set_state("offline", str(error))
            self._pause(min(2.0, 0.2 * self._failures))
        else:
            self._silent += isinstance(error, AtTimeout)
            self._set_state("unresponsive", str(error))
            self._pause(min(MAX_BACKOFF, 2.0 ** self._failures))

    def _pause(self, seconds: float) -> None:
        self._wake.clear()
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            self._stopping.wait(min(1.0, deadline - time.monotonic()))

    def _session(self) -> None:
        channel = AtChannel(
            SerialTransport(self.config.port, baudrate=self.config.baudrate,
                            rtscts=self.config.rtscts),
            name=self.name, on_urc=self._on_urc, on_lost=lambda _: self.wake())
        channel.open()
        try:
            if self._silent:
                self._ladder.climb(channel, self._silent)
            modem = Modem(channel)
            self._start_line(modem)
            self._silent = 0
            self._serve(channel, modem)
        finally:
            channel.close()

    def _start_line(self, modem: Modem) -> None:
        self._set_state("initializing")
        modem.channel.command("ATE0")
        early = modem.identity()  # the ICCID is readable before the PIN
        pin = self.config.pin
        allowed = pin is None or not self.store.lines.pin_rejected(early.iccid, pin)
        try:
            identity = modem.initialize(pin, pin_allowed=allowed)
        except PinRejected:
            self._register(early)
            if allowed and pin is not None and self.line_id is not None:
                self.store.lines.record_pin_rejected(self.line_id, early.iccid, pin)
            raise
        except SimError:
            self._register(early)
            raise
        self._register(identity)
        receiver.sweep(self.store, modem, self.line_id or 0)
        self._monitor(modem)

    def _register(self, identity: Identity) -> None:
        self.line_id = self.store.lines.register(
            LineIdentity(identity.iccid, identity.imsi, identity.imei, identity.own_number,
                         identity.manufacturer, identity.model),
            name=self.config.name, port=self.config.port)

    def _set_state(self, state: str, reason: str | None = None) -> None:
        if state != self.state:
            level = logging.WARNING if state in TROUBLE else logging.INFO
            log.log(level, "line %s: %s%s", self.name, state, f" ({reason})" if reason else "")
        self.state = state
        if self.line_id is not None:
            self.store.lines.set_state(self.line_id, state, reason)

    # ---- serving -------------------------------------------------------------------------

    def _serve(self, channel: AtChannel, modem: Modem) -> None:
        while not self.stopping:
            if channel.lost is not None:
                raise channel.lost
            self._drain(modem)
            if self.state == "ok" and self._send_next(modem):
                continue
            self._wake.wait(IDLE_WAIT)
            self._wake.clear()

    def _send_next(self, modem: Modem) -> bool:
        line_id = self.line_id or 0
        claim = self.store.outbox.claim(line_id, chooser(self.store.lines.healthy(), line_id))
        if claim is None:
            return False
        decision = sender.send_claim(self.store, modem, line_id, claim, lambda: self.stopping)
        if decision is not None:
            self._after_failure(modem, decision)
        return True

    def _after_failure(self, modem: Modem, decision: Decision) -> None:
        if decision.action is Action.RETRY:
            self.later(decision.delay, self.wake_all)
        if decision.action is Action.PAUSE_LINE and decision.reason != "stopping":
            self._set_state("paused", decision.reason)
            self.wake_all()  # another line may take the message
            # the line may be fine again well before the next periodic monitor
            self.later(PAUSE_RECHECK, partial(self.request, "monitor"))
        if decision.reinitialize:
            raise AtTimeout(f"re-initialising after: {decision.reason}")

    def _on_urc(self, urc: Urc) -> None:
        """Runs on the channel's URC thread: only queue it for the worker."""
        self._events.put(interpret(urc))
        self._wake.set()

    def _drain(self, modem: Modem) -> None:
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return
            self._handle(modem, event)

    def _handle(self, modem: Modem, event: object) -> None:
        line_id = self.line_id or 0
        if isinstance(event, Stored):
            receiver.take_stored(self.store, modem, line_id, event)
        elif isinstance(event, Direct):
            receiver.take_direct(self.store, line_id, event)
        elif isinstance(event, RegistrationChanged) or event == "monitor":
            self._monitor(modem)
        elif event == "sweep":
            receiver.sweep(self.store, modem, line_id)

    def _monitor(self, modem: Modem) -> None:
        signal, registration = modem.signal(), modem.registration()
        operator = modem.operator() if registration in (1, 5) else None
        self.store.lines.set_radio(self.line_id or 0, signal=signal.rssi if signal else None,
                                   registration=registration, operator=operator)
        if registration in (1, 5) and self.state in ("initializing", "no_service", "paused"):
            self._set_state("ok")
            self.wake()
        elif registration not in (1, 5) and self.state in ("ok", "initializing"):
            self._set_state("no_service", f"not registered (+CREG stat {registration})")
