"""A test rig: several emulated lines on one network, and every knob a tester turns.

The control server and the in-process URL handler both drive a Rig; nothing
here parses AT.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from modemd.emulator import profiles
from modemd.emulator.faults import URC_MODES, Faults
from modemd.emulator.modem import EmulatedModem
from modemd.emulator.network import Network
from modemd.emulator.ports import MemoryPort, PtyPort
from modemd.emulator.sim import SimState
from modemd.emulator.spec import LineSpec
from modemd.errors import InvalidInputError

FAULTS = ("hang", "slow", "cms", "no-network", "drop-reports", "noise", "no-sim", "clear")


@dataclass(frozen=True)
class NetworkOptions:
    delivery_delay: float = 0.0
    report_delay: float = 0.0
    submit_delay: float = 0.0
    report_status: int = 0x00
    seed: int | None = None


class Rig:
    def __init__(self, directory: Path | None = None, options: NetworkOptions | None = None,
                 *, kernel_names: bool = False):
        """directory: where pty links go; None keeps every modem in memory (fakemodem://).
        kernel_names: links named after the pty, renamed by a replug (see PtyPort)."""
        self.directory = directory
        self.kernel_names = kernel_names
        self.network = Network(**asdict(options or NetworkOptions()))
        self.ports: dict[str, PtyPort | MemoryPort] = {}

    def add_line(self, spec: LineSpec) -> EmulatedModem:
        modem = self.network.add(spec, profiles.load(spec.profile))
        if self.directory is None:
            port: PtyPort | MemoryPort = MemoryPort(modem)
        else:
            port = PtyPort(modem, self.directory / spec.name, kernel_names=self.kernel_names)
        self.ports[spec.name] = port
        self.network.ports[spec.name] = port
        port.plug()
        return modem

    def close(self) -> None:
        self.network.close()  # first: no pending replug or hang timer may fire after this
        for port in self.ports.values():
            port.close()

    def port_path(self, line: str) -> str:
        self.network.modem(line)
        port = self.ports[line]
        if isinstance(port, MemoryPort):
            return f"fakemodem://{line}"
        return str(port.link)

    def lines(self) -> list[dict]:
        return [self.describe(name) for name in self.network.modems]

    def describe(self, line: str) -> dict:
        modem = self.network.modem(line)
        port = self.ports[line]
        spec = modem.spec
        return {
            "name": line, "number": spec.number, "imei": spec.imei, "imsi": spec.imsi,
            "iccid": spec.iccid, "profile": modem.profile.name, "port": self.port_path(line),
            "tty": getattr(port, "tty_name", None), "plugged": port.plugged,
            "registration": modem.registration, "sim": modem.sim.state.value,
            "storage": {m: [s.used, s.capacity] for m, s in modem.sim.storages.items()},
            "held": self.network.held(line), "submitted": len(modem.submitted),
        }

    # ---- traffic ---------------------------------------------------------------------

    def inject(self, line: str, sender: str, text: str, **options: object) -> dict:
        return self.network.inject_text(line, sender, text, **options)  # type: ignore[arg-type]

    def inject_pdu(self, line: str, pdu: str, kind: str = "deliver") -> None:
        if kind not in ("deliver", "report"):
            raise InvalidInputError(f"kind must be deliver or report, not {kind!r}")
        self.network.inject_pdu(line, pdu, kind)

    def urc(self, line: str, text: str, pdu: str | None = None) -> None:
        self.network.modem(line).urc(text, pdu)

    def raw(self, line: str, data: bytes | None = None, *, hex: str | None = None,
            text: str | None = None) -> None:
        """Bytes straight onto the wire: data, or hex, or latin-1 text."""
        if sum(x is not None for x in (data, hex, text)) != 1:
            raise InvalidInputError("raw takes exactly one of data, hex or text")
        try:
            payload = data if data is not None else (
                bytes.fromhex(hex) if hex is not None else (text or "").encode("latin-1"))
        except ValueError as error:
            raise InvalidInputError(f"raw bytes: {error}") from error
        self.network.modem(line).emit_raw(payload)

    def submitted(self, line: str) -> list[dict]:
        return list(self.network.modem(line).submitted)

    def refused(self, line: str) -> list[dict]:
        """Sends the line answered with +CMS ERROR: the record of submitted, plus "cms"."""
        return list(self.network.modem(line).refused)

    def received(self, line: str) -> list[dict]:
        """What the network handed to the line: kind (deliver/report), pdu, route (the
        memory, "direct", or "discarded" for a report +CNMI did not route) and, for a
        report, about: the submission it reports on (mr, to, pdu)."""
        modem = self.network.modem(line)
        with modem.lock:
            return list(modem.received)

    def outside(self) -> list[dict]:
        return list(self.network.outside)

    def transcript(self, line: str, since: float = 0.0) -> list[dict]:
        modem = self.network.modem(line)
        with modem.lock:
            entries = list(modem.transcript)
        return [
            {"time": t, "dir": d, "text": data.decode("latin-1"), "hex": data.hex()}
            for t, d, data in entries
            if t >= since
        ]

    def storage(self, line: str) -> dict[str, list[dict]]:
        modem = self.network.modem(line)
        with modem.lock:
            return {
                memory: [
                    {"index": i, "stat": m.stat.value, "pdu": m.pdu, "report": m.is_report}
                    for i, m in storage.listing(None)
                ]
                for memory, storage in modem.sim.storages.items()
            }

    # ---- knobs -------------------------------------------------------------------------

    def set_signal(self, line: str, rssi: int) -> None:
        if not 0 <= rssi <= 31 and rssi != 99:
            raise InvalidInputError("rssi is 0-31, or 99 for unknown")
        self.network.modem(line).rssi = rssi

    def set_reports(self, status: int | None = None, to: str | None = None,
                    delay: float | None = None) -> None:
        if status is not None and not 0 <= status <= 0xFF:
            raise InvalidInputError("TP-ST is one octet: 0-255 (0x00 delivered, 0x40+ failed)")
        if status is not None:
            if to:
                self.network.report_status_for["".join(c for c in to if c.isdigit())] = status
            else:
                self.network.report_status = status
        if delay is not None:
            self.network.report_delay = delay

    def set_delays(self, delivery: float | None = None, submit: float | None = None) -> None:
        if delivery is not None:
            self.network.delivery_delay = delivery
        if submit is not None:
            self.network.submit_delay = submit

    def set_timing(self, line: str, urc_mode: str | None = None,
                   split_pdu: bool | None = None, hold_max: float | None = None) -> dict:
        modem = self.network.modem(line)
        if urc_mode is not None and urc_mode not in URC_MODES:
            raise InvalidInputError(f"urc mode {urc_mode!r}: use one of {', '.join(URC_MODES)}")
        with modem.lock:
            for key, value in (("urc_mode", urc_mode), ("split_pdu", split_pdu),
                               ("hold_max", hold_max)):
                if value is not None:
                    setattr(modem.timing, key, value)
            return asdict(modem.timing)

    def unplug(self, line: str, seconds: float | None = None, rename: bool = False) -> None:
        """Pull the USB plug; with seconds, plug it back in after that long."""
        port = self.ports[self.network.modem(line).name]
        port.unplug()
        if seconds is not None:
            self.network.scheduler.call_later(seconds, lambda: port.replug(rename=rename))

    def replug(self, line: str, rename: bool = False) -> None:
        self.ports[self.network.modem(line).name].replug(rename=rename)

    def reboot(self, line: str, seconds: float | None = None) -> None:
        """The modem restarts by itself (watchdog, firmware crash), as after AT+CFUN=1,1:
        the port goes away and comes back after seconds (default: the profile's)."""
        if seconds is not None and not 0 <= seconds <= 600:
            raise InvalidInputError("a reboot takes 0 to 600 seconds")
        modem = self.network.modem(line)
        if not self.ports[modem.name].plugged:
            raise InvalidInputError(f"{line} is unplugged: replug it first")
        self.network.reboot(modem, seconds)

    def set_capacity(self, line: str, memory: str, size: int) -> dict:
        """Resize a storage (a nearly full SIM); never below what it holds now."""
        modem = self.network.modem(line)
        with modem.lock:
            storage = modem.sim.storages.get(memory)
            if storage is None:
                raise InvalidInputError(f"{line} has no memory {memory!r}: it has "
                                        f"{', '.join(modem.sim.storages)}")
            if not isinstance(size, int) or not max(1, storage.used) <= size <= 1000:
                raise InvalidInputError(
                    f"capacity {size!r}: between {max(1, storage.used)} (what {memory} "
                    "holds now, at least 1) and 1000")
            storage.capacity = size
        self.network.memory_freed(modem)
        return {"memory": memory, "used": storage.used, "capacity": size}

    def fault(self, line: str, kind: str, *, seconds: float | None = None,
              code: int | None = None, count: int = 1, state: int = 2,
              wake_on_esc: bool = False) -> dict:
        """Switch a fault on (or "clear" them all); returns the line's faults now."""
        modem = self.network.modem(line)
        if kind not in FAULTS:
            raise InvalidInputError(f"unknown fault {kind!r}: use one of {', '.join(FAULTS)}")
        with modem.lock:
            apply_fault(modem, kind, seconds=seconds, code=code, count=count, state=state,
                        wake_on_esc=wake_on_esc)
            result = asdict(modem.faults)
        if kind in ("clear", "no-network"):
            self.network.line_ready(modem)
        if kind == "hang" and seconds is not None:
            self.network.scheduler.call_later(seconds, lambda: self._end_hang(modem))
        result["noise"] = result["noise"].hex()
        return result

    @staticmethod
    def _end_hang(modem: EmulatedModem) -> None:
        with modem.lock:
            modem.faults.hang = False


def apply_fault(modem: EmulatedModem, kind: str, *, seconds: float | None, code: int | None,
                count: int, state: int, wake_on_esc: bool) -> None:
    faults = modem.faults
    if kind == "hang":
        faults.hang, faults.wake_on_esc = True, wake_on_esc
    elif kind == "slow":
        faults.slow = 1.0 if seconds is None else seconds
    elif kind == "cms":
        if code is None:
            raise InvalidInputError("a cms fault needs --code (the +CMS ERROR number)")
        faults.cms_code, faults.cms_count = code, count
    elif kind == "no-network":
        if state not in (0, 2, 3):
            raise InvalidInputError("--state is 0 (not registered), 2 (searching) or 3 (denied)")
        faults.network_state = state
        modem.registration_changed()
    elif kind == "drop-reports":
        faults.drop_reports = True
    elif kind == "noise":
        faults.noise_count = count
    elif kind == "no-sim":
        modem.sim.state = SimState.ABSENT
        modem.registration_changed()
    else:
        _clear(modem)


def _clear(modem: EmulatedModem) -> None:
    modem.faults = Faults()
    if modem.sim.state == SimState.ABSENT:
        modem.sim.state = SimState.READY  # card pushed back in
        modem.sim.power_on()
        if modem.sim.state == SimState.READY:
            modem.sim_ready()
    modem.registration_changed()
