"""One emulated modem: bytes in from the DTE, bytes out, as a real TA does it.

Everything runs under one lock per modem: the host's reader thread feeds bytes,
the network's timer thread delivers URCs. Output goes to a host that never
blocks (a pty or an in-memory pipe).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from modemd.emulator import cmdline, urcs
from modemd.emulator.commands import dispatch
from modemd.emulator.faults import Faults, Timing
from modemd.emulator.replies import Prompt, Reply
from modemd.emulator.settings import Settings
from modemd.emulator.sim import Sim, SimState
from modemd.emulator.storage import Storage
from modemd.emulator.urc_output import UrcOutput

if TYPE_CHECKING:
    from modemd.emulator.network import Network
    from modemd.emulator.profiles import Profile
    from modemd.emulator.receive import Inbound
    from modemd.emulator.scheduler import Timer
    from modemd.emulator.spec import LineSpec

CR, LF, DEL, CTRL_Z, ESC = 13, 10, 127, 26, 27
MAX_LINE = 2048  # V.250 asks for at least 40; a longer line answers ERROR


class Host(Protocol):
    """Where the modem's output goes: must never block."""

    def write(self, data: bytes) -> None: ...


class EmulatedModem(UrcOutput):
    def __init__(self, spec: LineSpec, profile: Profile, network: Network) -> None:
        self.spec = spec
        self.name = spec.name
        self.profile = profile
        self.network = network
        self.lock = threading.RLock()
        self.sim = Sim(
            iccid=spec.iccid,
            imsi=spec.imsi,
            number=spec.number if spec.number_on_sim else None,
            pin=spec.pin,
            pin_enabled=spec.pin_enabled,
            puk=spec.puk,
            storages={m: Storage(m, c) for m, c in profile.storage.items()},
        )
        self.settings = Settings.defaults(profile)
        self.faults = Faults()
        self.timing = Timing()
        self.rssi = spec.rssi
        self.cfun = 1
        self.last_mr = 0  # TP-MR of the last submit; kept on the SIM, so it survives reboots
        self.transcript: deque[tuple[float, str, bytes]] = deque(maxlen=50_000)
        self.submitted: list[dict] = []  # what the network accepted from this line
        self.refused: list[dict] = []  # sends answered with +CMS ERROR (injected, no service)
        self.received: list[dict] = []  # what the network handed to this line
        self.awaiting_ack: Inbound | None = None  # a +CMT/+CDS waiting for +CNMA
        self._host: Host | None = None
        self._line = bytearray()
        self._overflow = False
        self._last_line = ""
        self._prompt: Prompt | None = None
        self._prompt_data = bytearray()
        self._echo = bytearray()
        self._busy = False  # a delayed answer is pending: input waits, URCs wait
        self._executing = False  # a command line runs: its URCs go after its final code
        self._backlog = bytearray()
        self._held: list[bytes] = []
        self._ta_buffer: list[bytes] = []
        self._registered = False
        self._reported_reg = (0, 0)
        self._timers: list[Timer] = []

    # ---- power and registration -------------------------------------------------

    @property
    def powered(self) -> bool:
        return self._host is not None

    def power_on(self, host: Host) -> None:
        """USB plugged in (or reboot finished): fresh TA state, SIM reset, boot URCs."""
        with self.lock:
            self._host = host
            self.settings = Settings.defaults(self.profile)
            self.cfun = 1
            self._line.clear()
            self._prompt = None
            self.sim.power_on()
            for text in self.profile.boot_urcs:
                self._emit(urcs.frame(self, text))
            for periodic in self.profile.periodic_urcs:
                self._schedule_periodic(periodic.text, periodic.interval)
            if self.sim.state == SimState.READY:
                self.sim_ready()

    def power_off(self) -> None:
        """USB gone: the port is dead, the radio is off, pending timers die."""
        with self.lock:
            self._host = None
            self._registered = False
            self._busy = False
            self._backlog.clear()
            self._held.clear()
            self._prompt = None
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
            unacked, self.awaiting_ack = self.awaiting_ack, None
        if unacked is not None:
            self.network.requeue(self, unacked)

    def sim_ready(self) -> None:
        """SIM unlocked: vendor URCs, then registration after the profile's delay."""
        with self.lock:
            for text in self.profile.sim_ready_urcs:
                self.urc(text)
            self.start_registration()

    def start_registration(self) -> None:
        with self.lock:
            self._registered = False
            self.registration_changed()
            self.later(self.profile.register_seconds, self._registration_done)

    def _registration_done(self) -> None:
        with self.lock:
            self._registered = True
            self.registration_changed()
        self.network.line_ready(self)

    def deregister(self) -> None:
        with self.lock:
            self._registered = False
            self.registration_changed()

    @property
    def registration(self) -> int:
        """<stat> of +CREG: 0 not registered, 1 home, 2 searching, 3 denied."""
        if not self.powered or self.cfun != 1 or self.sim.state != SimState.READY:
            return 0
        if self.faults.network_state is not None:
            return self.faults.network_state
        return 1 if self._registered else 2

    @property
    def in_service(self) -> bool:
        return self.registration in (1, 5)

    def registration_changed(self) -> None:
        """Send +CREG/+CGREG URCs for a changed <stat>, as +CREG=1/2 asked."""
        with self.lock:
            stat = self.registration
            for index, (prefix, mode) in enumerate(
                (("+CREG", self.settings.creg), ("+CGREG", self.settings.cgreg))
            ):
                if mode and self._reported_reg[index] != stat:
                    self.urc(urcs.registration(prefix, mode, stat))
            self._reported_reg = (stat, stat)

    def later(self, delay: float, fn: Callable[[], None]) -> None:
        """A timer that dies with the power."""
        self._timers = [t for t in self._timers if not t.cancelled]
        self._timers.append(self.network.scheduler.call_later(delay, fn))

    def _schedule_periodic(self, text: str, interval: float) -> None:
        def tick() -> None:
            with self.lock:
                if self.powered:
                    if self.settings.curc:  # Huawei's ^CURC=0 silences them
                        self.urc(text.format(rssi=self.rssi, imei=self.spec.imei))
                    self.later(interval, tick)

        self.later(interval, tick)

    # ---- bytes from the DTE ---------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Bytes the DTE wrote to the port."""
        with self.lock:
            self.record("rx", data)
            if not self.powered:
                return
            if self.faults.hang:
                if self.faults.wake_on_esc and ESC in data:
                    self.faults.hang = False
                return
            if self._busy:
                self._backlog += data
                return
            self._consume(data)
            self._flush_echo()

    def _consume(self, data: bytes) -> None:
        for offset, byte in enumerate(data):
            if self._busy:
                self._backlog += data[offset:]
                return
            if self._prompt is not None:
                self._prompt_byte(byte)
            else:
                self._command_byte(byte)

    def _echo_byte(self, byte: int) -> None:
        if self.settings.echo:
            self._echo.append(byte)

    def _flush_echo(self) -> None:
        if self._echo:
            data, self._echo = bytes(self._echo), bytearray()
            self._emit(data)

    def _command_byte(self, byte: int) -> None:
        self._echo_byte(byte)
        if byte == self.settings.s3:
            line, overflow = self._line.decode("latin-1"), self._overflow
            self._line.clear()
            self._overflow = False
            self._flush_echo()
            if overflow:
                self.finish(dispatch.syntax_error())  # V.250: too long is an error, not a cut
            else:
                self._run_line(line)
        elif byte in (self.settings.s5, DEL):
            del self._line[-1:]
        elif byte != self.settings.s4 and len(self._line) >= MAX_LINE:
            self._overflow = True
        elif byte != self.settings.s4:
            self._line.append(byte)
            if self._line.upper() == b"A/":
                self._line.clear()
                self._flush_echo()
                self._run_line(self._last_line)

    def _prompt_byte(self, byte: int) -> None:
        prompt = self._prompt
        assert prompt is not None
        if byte == CTRL_Z:
            self._flush_echo()
            self._prompt, data = None, self._prompt_data.decode("latin-1")
            self._prompt_data = bytearray()
            self._execute(lambda: dispatch.complete_prompt(self, prompt, data))
        elif byte == ESC:
            self._flush_echo()
            self._prompt, self._prompt_data = None, bytearray()
            if self.profile.esc_reply:
                self._respond(urcs.final(self, self.profile.esc_reply))
        elif byte == self.settings.s3 and prompt.destination is not None:
            self._echo_byte(byte)
            self._prompt_data.append(LF)
            self._flush_echo()
            self._emit(self.profile.line_end.encode() + b"> ")
        elif byte in (self.settings.s5, DEL):
            self._echo_byte(byte)
            del self._prompt_data[-1:]
        elif byte not in (CR, LF):
            self._echo_byte(byte)
            self._prompt_data.append(byte)

    def _run_line(self, line: str) -> None:
        start = line.upper().find("AT")
        if start < 0:
            return  # V.250: no "AT" prefix, no command; what precedes it is noise
        text = line[start:].strip()
        self._last_line = text
        try:
            invocations = cmdline.parse(text[2:])
        except cmdline.CommandLineError:
            self.finish(dispatch.syntax_error())
            return
        self._execute(lambda: dispatch.run(self, invocations))

    def _execute(self, run: Callable[[], Reply | Prompt | Exception]) -> None:
        """Run a command; URCs it raises (SIM ready, +CREG) follow its final code."""
        self._executing = True
        try:
            self.finish(run())
        finally:
            self._executing = False
        if self.timing.urc_mode == "immediate":
            self._flush_held()

    # ---- bytes to the DTE -------------------------------------------------------------

    def finish(self, outcome: Reply | Prompt | Exception, delay: float = 0.0) -> None:
        """Write a command's result: info lines and final code, or the > prompt."""
        if isinstance(outcome, Prompt):
            self._prompt = outcome
            self._emit(self.profile.line_end.encode() + b"> " + self._take_held("after_prompt"))
            return
        if isinstance(outcome, Reply):
            delay = max(delay, outcome.delay)
        data = urcs.response(self, outcome, self._take_held("in_response"))
        if self.faults.noise_count > 0:
            self.faults.noise_count -= 1
            data = self.faults.noise + data
        self._respond(data, max(delay, self.faults.slow))

    def _respond(self, data: bytes, delay: float = 0.0) -> None:
        if delay <= 0:
            self._emit(data)
            return
        self._busy = True  # a slow modem reads nothing until it has answered
        self.later(delay, lambda: self._respond_late(data))

    def _respond_late(self, data: bytes) -> None:
        with self.lock:
            self._emit(data)
            self._busy = False
            backlog, self._backlog = bytes(self._backlog), bytearray()
            if self.timing.urc_mode == "immediate":
                self._flush_held()
            self._consume(backlog)
            self._flush_echo()
