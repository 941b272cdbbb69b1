"""The AT channel: one reader owns the port; commands run one at a time.

The reader splits bytes into lines and hands each to the Router, which says
whether it belongs to the command in flight, to a late answer, or is a URC.
URCs go to a queue that another thread hands to the owner's handler, so a slow
handler never stalls the reader. After a timeout the channel is out of step
with the modem: before the next command it waits (bounded) for the late
answer, cancels any input state with ESC, and proves sync with `ATS3?`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from modemd.at.errors import (
    AtTimeout,
    ChannelClosed,
    CmeError,
    CmsError,
    CommandError,
    PromptTimeout,
)
from modemd.at.lines import LineSplitter, encode
from modemd.at.pending import Pending
from modemd.at.results import Urc, is_register_value
from modemd.at.router import Router
from modemd.transport import PortLost, SerialTransport

log = logging.getLogger(__name__)

ESC, CTRL_Z = b"\x1b", b"\x1a"
DEFAULT_TIMEOUT = 5.0
SUBMIT_TIMEOUT = 180.0  # +CMGS: real networks take minutes; short waits make duplicates
PROMPT_TIMEOUT = 10.0
QUIET = 0.3  # silence that ends a final_optional answer (or a fallback resync's drain)
QUIET_MAX = 2.0  # a chatty modem is never quiet: stop draining after this
LATE_WAIT = 3.0  # how long a late answer is waited for before the debt is forgiven
RESYNC_TIMEOUT = 2.0


class AtChannel:
    def __init__(self, transport: SerialTransport, *, name: str = "modem",
                 on_urc: Callable[[Urc], None] | None = None,
                 on_lost: Callable[[PortLost], None] | None = None) -> None:
        self.transport = transport
        self.name = name
        self.on_urc = on_urc
        self.on_lost = on_lost
        self._lock = threading.RLock()  # one command (or transaction) at a time
        self._state = threading.Condition()  # guards the router between reader and callers
        self._router = Router(name)
        self._splitter = LineSplitter()
        self._urcs: queue.Queue[Urc | None] = queue.Queue()
        self._lost: PortLost | None = None
        self._stale = False
        self._closed = False
        self._last_rx = time.monotonic()
        self._reader: threading.Thread | None = None
        self._dispatcher = threading.Thread(target=self._dispatch, daemon=True,
                                            name=f"at-urc-{name}")

    # ---- life cycle ----------------------------------------------------------------

    def open(self) -> None:
        """Open the port and start reading."""
        if self._closed:
            raise ChannelClosed(f"{self.name}: channel closed")
        if self._reader is not None:
            return
        self.transport.open()
        self._start_reader()

    def _start_reader(self) -> None:
        with self._state:
            self._lost = None
            self._splitter.reset()
            self._router.reset()
        self._stale = True  # whatever the modem was saying before we came is not ours
        self._reader = threading.Thread(target=self._read_loop, daemon=True,
                                        name=f"at-read-{self.name}")
        self._reader.start()
        if not self._dispatcher.is_alive():
            self._dispatcher.start()

    def reopen(self, timeout: float) -> bool:
        """After PortLost: wait up to timeout for the port to come back, then read again."""
        with self._lock:
            if self._closed:
                raise ChannelClosed(f"{self.name}: channel closed")
            self._stop_reader()
            if not self.transport.reopen(timeout):
                return False
            self._start_reader()
            return True

    def close(self) -> None:
        self._closed = True
        self._stop_reader()
        self._fail_pending(ChannelClosed(f"{self.name}: channel closed"))
        self._urcs.put(None)

    def _stop_reader(self) -> None:
        reader, self._reader = self._reader, None
        self.transport.close()
        if reader is not None and reader is not threading.current_thread():
            reader.join(timeout=2)

    @property
    def lost(self) -> PortLost | None:
        return self._lost

    # ---- commands --------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[AtChannel]:
        """Commands inside run back to back; no other thread's command interleaves."""
        with self._lock:
            yield self

    def command(self, text: str, *, timeout: float = DEFAULT_TIMEOUT,
                expect: str | None = None, final_optional: bool = False) -> list[str]:
        """Run one command; its information lines, or a typed AtError.

        expect: a prefix ("+CREG") whose lines are this answer even though they look
        like URCs. final_optional: the `expect` line alone is a complete answer when
        no final result follows it within QUIET (some +CPIN? implementations).
        """
        with self._lock:
            self._ready()
            pending = self._send(Pending(text, expect, False, None, final_optional))
            if final_optional:
                return self._finish_optional(pending, timeout)
            return self._finish(pending, timeout)

    def command_with_prompt(self, text: str, payload: str, *,
                            prompt_timeout: float = PROMPT_TIMEOUT,
                            timeout: float = SUBMIT_TIMEOUT,
                            before_payload: Callable[[], None] | None = None) -> list[str]:
        """AT+CMGS=<n> -> wait for "> " -> payload + Ctrl-Z -> result (one transaction).

        before_payload runs at the prompt, just before the first payload byte is written;
        if it raises, ESC cancels the input and nothing of the payload is written.
        """
        data = encode(payload) + CTRL_Z
        with self._lock:
            self._ready()
            pending = self._send(Pending(text, None, True, payload))
            if not pending.prompt.wait(prompt_timeout):
                self._abort_prompt(pending, prompt_timeout)
            if pending.done.is_set():  # ERROR instead of a prompt
                return self._finish(pending, 0)
            if before_payload is not None:
                self._at_prompt(pending, before_payload)
            self._write(data)
            return self._finish(pending, timeout)

    def _at_prompt(self, pending: Pending, before_payload: Callable[[], None]) -> None:
        try:
            before_payload()
        except BaseException:
            with self._state:
                self._router.abandon(pending)  # the ESC's answer, if any, is owed
            self._stale = True
            self._write(ESC)
            raise

    def _abort_prompt(self, pending: Pending, waited: float) -> None:
        """No "> ": ESC leaves the input state (its answer, if any, is owed); raise."""
        with self._state:
            if not self._router.abandon(pending):
                return  # the answer raced the timeout: the caller takes it
        self._stale = True
        self._write(ESC)  # or the next command would be typed into the PDU
        raise PromptTimeout(f"{self.name}: no '> ' after {pending.text} in {waited:g} s; "
                            "sent ESC", pending.text, tuple(pending.lines))

    def _ready(self) -> None:
        if self._closed:
            raise ChannelClosed(f"{self.name}: channel closed")
        if self._lost is not None:
            raise PortLost(f"{self.name}: port lost ({self._lost}); reopen first")
        with self._state:
            leftover = self._router.pending
            if leftover is not None:  # a call interrupted mid-command: its answer is owed
                self._router.abandon(leftover)
                self._stale = True
        if self._stale:
            self._resync()

    def _resync(self) -> None:
        """Back in step: late answers settled, input state cancelled, an answer proven ours.

        ATS3? (V.250: every modem has S3) answers "013" then OK; an OK before that
        line is the ESC's or a forgiven late answer's, so it cannot pass for ours.
        """
        self._settle()
        self._write(ESC)  # leave a "> " input or a half-typed line
        sync = Pending("ATS3?", None, False, proof=is_register_value)
        try:
            self._finish(self._send(sync), RESYNC_TIMEOUT)
        except (CommandError, CmeError, CmsError):  # refused: fall back to silence, then AT
            self._drain(time.monotonic())
            self._finish(self._send(Pending("AT", None, False)), RESYNC_TIMEOUT)
        self._stale = False

    def _settle(self) -> None:
        """Wait (bounded) for the late answers we owe; then forgive the rest."""
        with self._state:
            self._state.wait_for(lambda: not self._router.owed or self._lost, LATE_WAIT)
            if self._router.owed:
                log.warning("%s: %d late answer(s) never came; going on", self.name,
                            self._router.forgive())

    def _drain(self, since: float) -> None:
        """Wait until the modem has been silent for QUIET (at most QUIET_MAX)."""
        deadline = since + QUIET_MAX
        while (now := time.monotonic()) < deadline:
            idle = now - max(self._last_rx, since)
            if idle >= QUIET:
                return
            time.sleep(QUIET - idle)

    def _send(self, pending: Pending) -> Pending:
        data = encode(pending.text) + b"\r"
        with self._state:
            self._router.start(pending)
        self._write(data)
        return pending

    def _write(self, data: bytes) -> None:
        try:
            self.transport.write(data)
        except PortLost as error:
            self._port_lost(error)
            raise

    def _finish(self, pending: Pending, timeout: float) -> list[str]:
        if not pending.done.wait(timeout):
            with self._state:
                gave_up = self._router.abandon(pending)
            if gave_up:
                self._stale = True
                raise AtTimeout(f"{self.name}: no answer to {pending.text} in {timeout:g} s",
                                pending.text, tuple(pending.lines))
        return pending.result()  # also when the answer raced the timeout

    def _finish_optional(self, pending: Pending, timeout: float) -> list[str]:
        """The expected line alone answers when no final result follows within QUIET."""
        deadline = time.monotonic() + timeout
        if pending.answered.wait(timeout) and not pending.done.wait(QUIET):
            with self._state:
                if self._router.abandon(pending, owe=False):  # an OK may never come
                    return list(pending.lines)
        return self._finish(pending, max(0.0, deadline - time.monotonic()))

    def _fail_pending(self, error: ChannelClosed | PortLost) -> None:
        with self._state:
            pending = self._router.pending
            if pending is not None:
                self._router.abandon(pending, owe=False)
            self._state.notify_all()
        if pending is not None:
            pending.fail(error)

    # ---- the reader -------------------------------------------------------------------

    def _read_loop(self) -> None:
        while not self._closed and self.transport.is_open:
            try:
                data = self.transport.read()
            except PortLost as error:
                if self.transport.is_open:
                    self._port_lost(error)
                return
            if data:
                self._last_rx = time.monotonic()
                self._take(data)

    def _take(self, data: bytes) -> None:
        try:
            with self._state:
                for event in self._splitter.feed(data):
                    urc = self._router.route(event)
                    if urc is not None:
                        self._urcs.put(urc)
                self._state.notify_all()
        except Exception:  # a bug here must not kill the reader silently: log and go on
            log.exception("%s: could not route %r", self.name, data)
            self._stale = True

    def _port_lost(self, error: PortLost) -> None:
        self._lost = error
        self._fail_pending(error)
        if self.on_lost is not None:
            threading.Thread(target=self.on_lost, args=(error,), daemon=True,
                             name=f"at-lost-{self.name}").start()

    def _dispatch(self) -> None:
        while (urc := self._urcs.get()) is not None:
            handler = self.on_urc
            if handler is None:
                continue
            try:
                handler(urc)
            except Exception:  # a handler bug must not kill URC delivery
                log.exception("%s: URC handler failed on %r", self.name, urc)
