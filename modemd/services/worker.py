"""One worker per modem: it owns the port, sends, receives, and comes back from trouble.

A hung, unplugged or PIN-locked modem only ever stalls its own worker. The line's
states and their moves are in life.py; what the radio says of them, in radio.py; why
a paused line waits, in pause.py.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from modemd.at import AtChannel, AtError, AtTimeout, Urc
from modemd.config import ModemConfig
from modemd.errors import ModemdError
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
from modemd.services.gate import StoreGate, Unrecorded
from modemd.services.life import LineLife
from modemd.services.mailbox import Mailbox
from modemd.services.pause import Pauses
from modemd.services.policy import Action, Decision, LineEffect
from modemd.services.radio import RadioWatch
from modemd.services.recovery import Ladder
from modemd.store import LineIdentity, LineState, Store, StoreFull, chooser
from modemd.transport import SerialTransport, TransportError

log = logging.getLogger(__name__)

IDLE_WAIT = 15.0  # a safety net; new work arrives as a wake-up
SIM_RETRY = 60.0
MAX_BACKOFF = 30.0
MAX_REINITS = 3  # re-inits without a good send before the modem counts as not answering


class NotSending(ModemdError):
    """The modem answers commands but re-initialising it did not get a part out."""


class DuplicatePort(ModemdError):
    """This port is another AT port of a modem that another worker drives."""


# Who this modem is -> its settings (name, PIN) from the configuration; may raise
# DuplicatePort. The daemon decides, since only it sees every port.
IdentityHook = Callable[["LineWorker", Identity], ModemConfig]


class LineWorker(RadioWatch):
    def __init__(self, config: ModemConfig, store: Store,
                 later: Callable[[timedelta, Callable[[], None]], None],
                 wake_all: Callable[[], None], gate: StoreGate | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 on_identity: IdentityHook | None = None) -> None:
        self.config = config
        self.port = config.port or ""
        self.on_identity = on_identity
        self.imei: str | None = None  # known once the modem said it
        self.duplicate: DuplicatePort | None = None
        self._final: tuple[LineState, str] | None = (LineState.STOPPED, "the daemon stopped")
        self.store = store
        self.gate = gate or StoreGate(store.database)  # the daemon's, shared by its lines
        self.later = later  # the daemon's scheduler runs a job after a delay
        self.wake_all = wake_all  # every line looks at the queue again
        self.name = config.name or config.port
        self.life = LineLife(self.name, store)
        self.mailbox = Mailbox()
        self._stopping = threading.Event()
        self._failures = 0
        self._silent = 0  # sessions in a row that ended with the modem not answering
        self._reinits = 0
        self.pauses = Pauses(clock)
        self._ladder = Ladder()
        self._thread = threading.Thread(target=self._run, name=f"line-{self.name}", daemon=True)

    # ---- control from the daemon ---------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self.mailbox.wake()

    def request(self, job: str) -> None:
        """Ask for a periodic job ("sweep", "monitor") on this worker's own thread."""
        self.mailbox.post(job)

    def request_stop(self) -> None:
        """Stop after the part in flight; returns at once (stop() waits)."""
        self._stopping.set()
        self.mailbox.wake()

    def retire(self, reason: str, *, moved: bool = False) -> None:
        """The port is gone for good: stop, and leave the line offline with the reason.
        moved: the modem is driven on another port now, which owns the line's state."""
        self._final = None if moved else (LineState.OFFLINE, reason)
        self.request_stop()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def failures(self) -> int:
        """Sessions in a row that ended in trouble."""
        return self._failures

    def stop(self, timeout: float = 190.0) -> None:
        """Finish the part in flight, then close the port."""
        self.request_stop()
        self._thread.join(timeout)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # ---- the life of a connection -------------------------------------------------------

    def _run(self) -> None:
        try:
            self._serve_until_stopped()
        except DuplicatePort as error:
            self.duplicate = error
            log.info("line %s: %s", self.name, error)
            return  # it never was a line of its own
        if self._final is None:
            return
        state, reason = self._final
        if not self.life.can_move(state):
            state, reason = LineState.STOPPED, "the daemon stopped"
        self.life.move(state, reason)

    def _serve_until_stopped(self) -> None:
        while not self.stopping:
            try:
                self._session()
                self._failures = 0
            except DuplicatePort:
                raise  # not a line of its own: the worker ends
            except (TransportError, AtError, SimError, NotSending) as error:
                self._failures += 1
                self._trouble(error)
            except Exception:  # a bug must not kill the line for good: log, back off, retry
                self._failures += 1
                log.exception("line %s: unexpected failure", self.name)
                self.life.move(LineState.ERROR, "unexpected failure; see the log")
                self._rest(min(MAX_BACKOFF, 2.0 ** self._failures))

    def _trouble(self, error: Exception) -> None:
        if isinstance(error, PinRejected):
            self.life.move(LineState.PIN_REJECTED, str(error))
            self._rest(float("inf"))  # stopped until restarted with another PIN
        elif isinstance(error, SimError):
            self.life.move(LineState.SIM_ERROR, str(error))
            self._rest(SIM_RETRY)
        elif isinstance(error, TransportError):
            self.life.move(LineState.OFFLINE, str(error))
            self._rest(min(2.0, 0.2 * self._failures))
        else:
            self._silent += isinstance(error, AtTimeout)
            self.life.move(LineState.UNRESPONSIVE, str(error))
            self._rest(min(MAX_BACKOFF, 2.0 ** self._failures))

    def _rest(self, seconds: float) -> None:
        """Wait between sessions (a stop ends the wait)."""
        self.mailbox.quiet()
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
        """The init sequence: on a new session, or again on the same port (re-init)."""
        self.life.move(LineState.INITIALIZING)
        modem.channel.command("ATE0")
        early = modem.identity()  # the ICCID is readable before the PIN
        self._adopt(early)
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

    def _adopt(self, identity: Identity) -> None:
        """Take this hardware's settings: a name and PIN follow the IMEI or ICCID."""
        self.imei = identity.imei
        if self.on_identity is None:
            return
        settings = self.on_identity(self, identity)
        if settings != self.config:
            self.config = dataclasses.replace(settings, port=self.port)
            self.name = self.life.name = self.config.name or self.port

    def _register(self, identity: Identity) -> None:
        line_id = self.store.lines.register(
            LineIdentity(identity.iccid, identity.imsi, identity.imei, identity.own_number,
                         identity.manufacturer, identity.model),
            name=self.config.name, port=self.config.port)
        if line_id != self.line_id:
            self.pauses.end()  # another SIM is another line, without the old one's trouble
        self.life.bind(line_id)

    # ---- serving -------------------------------------------------------------------------

    def _serve(self, channel: AtChannel, modem: Modem) -> None:
        while not self.stopping:
            if channel.lost is not None:
                raise channel.lost
            if not self.gate.closed:
                try:
                    if self._step(modem):
                        continue
                except (StoreFull, Unrecorded) as error:
                    self.gate.close(error)  # it wakes every line when there is room
            self.mailbox.wait(IDLE_WAIT)

    def _step(self, modem: Modem) -> bool:
        """Handle what the modem said, then send one message; True if one was sent."""
        self._drain(modem)
        if self.pauses.current is not None and self._resume_asked():
            self._resume(modem, "an agent resumed it")
        return self.life.sending and self._send_next(modem)

    def _send_next(self, modem: Modem) -> bool:
        line_id = self.line_id or 0
        claim = self.store.outbox.claim(line_id, chooser(self.store.lines.healthy(), line_id))
        if claim is None:
            return False
        try:
            decision = sender.send_claim(self.store, modem, line_id, claim,
                                         lambda: self.stopping)
        except (StoreFull, Unrecorded):
            raise  # the gate's owed write settles the claim
        except BaseException:  # a bug or a lost port: the claim must not stay `sending`
            self.store.outbox.settle(claim.message_id, "interrupted by a failure; see the log")
            raise
        if decision is None:
            self._reinits = 0
            self.pauses.sent()
        else:
            self._after_failure(modem, decision)
        return True

    def _after_failure(self, modem: Modem, decision: Decision) -> None:
        if decision.action is Action.RETRY:
            self.later(decision.delay, self.wake_all)
        if decision.line is LineEffect.PAUSE and decision.pause is not None:
            self._pause_line(decision)
        elif decision.line is LineEffect.REINITIALIZE:
            self._reinitialize(modem, decision.reason)
        elif decision.line is LineEffect.END_SESSION and decision.error is not None:
            raise decision.error

    def _reinitialize(self, modem: Modem, reason: str) -> None:
        """The modem answered but may be in the wrong mode: its init sequence again."""
        self._reinits += 1
        if self._reinits > MAX_REINITS:
            self._reinits = 0
            self._silent += 1  # the ladder's radio reset is next, in a new session
            raise NotSending(f"re-initialised {MAX_REINITS} times without a good send "
                             f"(last: {reason}); resetting the modem")
        log.info("line %s: re-initialising after: %s", self.name, reason)
        self._start_line(modem)

    def _on_urc(self, urc: Urc) -> None:
        """Runs on the channel's URC thread: only queue it for the worker."""
        self.mailbox.post(interpret(urc))

    def _drain(self, modem: Modem) -> None:
        for event in self.mailbox.take():
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
