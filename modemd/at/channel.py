"""The AT channel: one reader owns the port; commands run one at a time.

The reader splits every line into: the final result of the command in flight,
an information line of it, or a URC (with its trailing PDU line). URCs go to a
queue that another thread hands to the owner's handler, so a slow handler
never stalls the reader. After a timeout the channel is out of step with the
modem; before the next command it waits for quiet and proves sync with `AT`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from modemd.at.errors import AtError, AtTimeout, ChannelClosed, PromptTimeout
from modemd.at.lines import PROMPT, LineSplitter
from modemd.at.pending import Pending
from modemd.at.results import URC_TRAILING, Urc, final_result, make_urc, urc_name
from modemd.transport import PortLost, SerialTransport

log = logging.getLogger(__name__)

ESC, CTRL_Z = b"\x1b", b"\x1a"
DEFAULT_TIMEOUT = 5.0
SUBMIT_TIMEOUT = 180.0  # +CMGS: real networks take minutes; short waits make duplicates
PROMPT_TIMEOUT = 10.0
QUIET = 0.3  # silence that ends a resync


class AtChannel:
    def __init__(self, transport: SerialTransport, *, name: str = "modem",
                 on_urc: Callable[[Urc], None] | None = None,
                 on_lost: Callable[[PortLost], None] | None = None) -> None:
        self.transport = transport
        self.name = name
        self.on_urc = on_urc
        self.on_lost = on_lost
        self._lock = threading.RLock()  # one command (or transaction) at a time
        self._state = threading.Lock()  # guards _pending between reader and caller
        self._pending: Pending | None = None
        self._splitter = LineSplitter()
        self._urc_head: str | None = None  # a +CMT/+CDS waiting for its PDU line
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
        self.transport.open()
        self._start_reader()

    def _start_reader(self) -> None:
        self._lost = None
        self._splitter.reset()
        self._urc_head = None
        self._stale = True  # whatever the modem was saying before we came is not ours
        self._reader = threading.Thread(target=self._read_loop, daemon=True,
                                        name=f"at-read-{self.name}")
        self._reader.start()
        if not self._dispatcher.is_alive():
            self._dispatcher.start()

    def reopen(self, timeout: float) -> bool:
        """After PortLost: wait up to timeout for the port to come back, then read again."""
        with self._lock:
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

        final_optional: the `expect` line alone is a complete answer when no final
        result follows it within QUIET (a quirk of some +CPIN? implementations).
        """
        with self._lock:
            self._ready()
            pending = self._start(text, expect, wants_prompt=False,
                                  final_optional=final_optional)
            self._write(text.encode("latin-1") + b"\r", pending)
            answered = final_optional and pending.answered.wait(timeout)
            if answered and not pending.done.wait(QUIET):
                self._clear(pending)
                return list(pending.lines)
            return self._finish(pending, timeout)

    def command_with_prompt(self, text: str, payload: str, *,
                            prompt_timeout: float = PROMPT_TIMEOUT,
                            timeout: float = SUBMIT_TIMEOUT) -> list[str]:
        """AT+CMGS=<n> -> wait for "> " -> payload + Ctrl-Z -> result (one transaction)."""
        with self._lock:
            self._ready()
            pending = self._start(text, None, wants_prompt=True, payload=payload)
            self._write(text.encode("latin-1") + b"\r", pending)
            if not pending.prompt.wait(prompt_timeout):
                self._abort_prompt(pending, prompt_timeout)
            if pending.done.is_set():  # ERROR instead of a prompt
                return self._finish(pending, 0)
            self._write(payload.encode("latin-1") + CTRL_Z, pending)
            return self._finish(pending, timeout)

    def _abort_prompt(self, pending: Pending, waited: float) -> None:
        if pending.done.is_set():
            return
        self.transport.write(ESC)  # leave the input state, or the next command is PDU text
        self._stale = True
        self._clear(pending)
        raise PromptTimeout(f"{self.name}: no '> ' after {pending.text} in {waited:.0f} s; "
                            "sent ESC", pending.text, tuple(pending.lines))

    def _ready(self) -> None:
        if self._closed:
            raise ChannelClosed(f"{self.name}: channel closed")
        if self._lost is not None:
            raise PortLost(f"{self.name}: port lost ({self._lost}); reopen first")
        if self._stale:
            self._resync()

    def _resync(self) -> None:
        """Wait for silence, cancel any input state, and prove we are in step with `AT`."""
        deadline = time.monotonic() + 3 * QUIET + 2.0
        while time.monotonic() - self._last_rx < QUIET and time.monotonic() < deadline:
            time.sleep(QUIET / 3)
        self._stale = False
        pending = self._start("AT", None, wants_prompt=False)
        self._write(ESC + b"AT\r", pending)
        try:
            self._finish(pending, 2.0)
        except AtError:
            self._stale = True
            raise

    def _start(self, text: str, expect: str | None, *, wants_prompt: bool,
               payload: str | None = None, final_optional: bool = False) -> Pending:
        pending = Pending(text, expect, wants_prompt, payload, final_optional)
        with self._state:
            self._pending = pending
        return pending

    def _write(self, data: bytes, pending: Pending) -> None:
        try:
            self.transport.write(data)
        except PortLost as error:
            self._clear(pending)
            self._port_lost(error)
            raise

    def _finish(self, pending: Pending, timeout: float) -> list[str]:
        if not pending.done.wait(timeout):
            self._clear(pending)
            if pending.done.is_set():  # the answer raced the timeout: take it
                return pending.result()
            self._stale = True
            raise AtTimeout(f"{self.name}: no answer to {pending.text} in {timeout:g} s",
                            pending.text, tuple(pending.lines))
        return pending.result()

    def _clear(self, pending: Pending) -> None:
        with self._state:
            if self._pending is pending:
                self._pending = None

    def _fail_pending(self, error: AtError | PortLost) -> None:
        with self._state:
            pending, self._pending = self._pending, None
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
                for event in self._splitter.feed(data):
                    self._route(event)

    def _port_lost(self, error: PortLost) -> None:
        self._lost = error
        self._fail_pending(error)
        if self.on_lost is not None:
            threading.Thread(target=self.on_lost, args=(error,), daemon=True).start()

    def _route(self, event: object) -> None:
        with self._state:
            pending = self._pending
        if event is PROMPT:
            if pending is not None and pending.wants_prompt:
                pending.prompt.set()
            return
        line = str(event)
        if self._urc_head is not None:
            head, self._urc_head = self._urc_head, None
            self._urcs.put(make_urc(head, line))
            return
        if pending is not None and self._take_response(pending, line):
            return
        self._unsolicited(line, pending)

    def _take_response(self, pending: Pending, line: str) -> bool:
        final = final_result(line, pending.text)
        if final is not None:
            self._clear(pending)
            pending.complete(final)
            return True
        if pending.is_echo(line):
            return True
        name = urc_name(line)
        if name is not None and not pending.expects(line):
            return False
        pending.add(line)
        return True

    def _unsolicited(self, line: str, pending: Pending | None) -> None:
        name = urc_name(line)
        if name is not None and URC_TRAILING[name]:
            self._urc_head = line
        elif name is not None:
            self._urcs.put(make_urc(line))
        elif final_result(line, "") is not None:
            log.warning("%s: dropped a late %r (no command waits for it)", self.name, line)
        else:
            log.info("%s: unsolicited line %r", self.name, line)
            self._urcs.put(make_urc(line))

    def _dispatch(self) -> None:
        while (urc := self._urcs.get()) is not None:
            handler = self.on_urc
            if handler is None:
                continue
            try:
                handler(urc)
            except Exception:  # a handler bug must not kill URC delivery
                log.exception("%s: URC handler failed on %r", self.name, urc)
