"""SIM lock and radio: +CPIN, +CPINR, +CLCK, +CSQ, +CREG/+CGREG/+CEREG, +COPS, +CFUN."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modemd.emulator import urcs
from modemd.emulator.cmdline import Invocation
from modemd.emulator.commands.registry import Handler, command
from modemd.emulator.replies import CmeError, Reply
from modemd.emulator.sim import SimState

if TYPE_CHECKING:
    from modemd.emulator.modem import EmulatedModem

OPERATOR = {0: "modemd Emulated Network", 1: "EMU", 2: "00101"}


@command("+CPIN")
def pin(modem: EmulatedModem, inv: Invocation) -> Reply:
    sim = modem.sim
    if inv.form == "test":
        return Reply()
    if inv.form == "read":
        if sim.state in (SimState.ABSENT, SimState.BLOCKED):
            sim.require_ready()
        ready = sim.state == SimState.READY
        quirk = ready and modem.profile.cpin_ready_without_ok
        return Reply([f"+CPIN: {sim.state.value}"], final_ok=not quirk)
    code = inv.arg(0)
    if code is None:
        raise CmeError(50)
    was_ready = sim.state == SimState.READY
    sim.enter(code, inv.arg(1))
    if not was_ready and sim.state == SimState.READY:
        modem.sim_ready()
    return Reply()


@command("+CPINR")
def pin_retries(modem: EmulatedModem, inv: Invocation) -> list[str]:
    sim = modem.sim
    return [f"+CPINR: SIM PIN,{sim.pin_tries},3", f"+CPINR: SIM PUK,{sim.puk_tries},10"]


@command("+CLCK")
def facility_lock(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return ['+CLCK: ("SC")']
    if (inv.arg(0) or "").upper() != "SC":
        raise CmeError(4)
    mode = inv.int_arg(1)
    if mode == 2:
        modem.sim.require_ready()
        return [f"+CLCK: {int(modem.sim.pin_enabled)}"]
    if mode not in (0, 1) or inv.arg(2) is None:
        raise CmeError(50)
    modem.sim.set_lock(bool(mode), inv.arg(2) or "")
    return []


@command("+CSQ")
def signal(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return ["+CSQ: (0-31,99),(0-7,99)"]
    has_signal = modem.cfun == 1 and modem.registration not in (0, 2)
    return [f"+CSQ: {modem.rssi if has_signal else 99},{0 if has_signal else 99}"]


def _registration(attribute: str, prefix: str) -> Handler:
    def handler(modem: EmulatedModem, inv: Invocation) -> list[str]:
        if inv.form == "test":
            return [f"{prefix}: (0-2)"]
        if inv.form == "read":
            mode = getattr(modem.settings, attribute)
            stat = modem.registration
            return [urcs.registration(prefix, mode, stat).replace(": ", f": {mode},", 1)]
        mode = inv.int_arg(0, 0)
        if mode not in (0, 1, 2):
            raise CmeError(50)
        setattr(modem.settings, attribute, mode)
        return []

    return handler


command("+CREG")(_registration("creg", "+CREG"))
command("+CGREG")(_registration("cgreg", "+CGREG"))
command("+CEREG")(_registration("cgreg", "+CEREG"))


@command("+COPS")
def operator(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return ['+COPS: (2,"modemd Emulated Network","EMU","00101",2),,(0-4),(0-2)']
    if inv.form == "read":
        if not modem.in_service:
            return ["+COPS: 0"]
        fmt = modem.settings.cops_format
        return [f'+COPS: 0,{fmt},"{OPERATOR[fmt]}",2']
    mode = inv.int_arg(0, 0)
    if mode == 3:
        fmt = inv.int_arg(1, 0)
        if fmt not in OPERATOR:
            raise CmeError(50)
        modem.settings.cops_format = fmt
    elif mode == 2:
        modem.deregister()
    elif mode in (0, 1, 4):
        modem.sim.require_ready()
        if not modem.in_service:
            modem.start_registration()
    else:
        raise CmeError(50)
    return []


def _levels(test_answer: str) -> set[int]:
    """Levels a "+CFUN: (0-1,4-7),(0-1)" answer offers; 2-7 all mean some radio-off state."""
    group = test_answer.partition("(")[2].partition(")")[0]
    levels: set[int] = set()
    for item in group.split(","):
        low, _, high = item.strip().partition("-")
        if low.isdigit():
            levels.update(range(int(low), int(high or low) + 1))
    return levels or {0, 1, 4}


@command("+CFUN")
def functionality(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return [modem.profile.cfun_test]
    if inv.form == "read":
        return [f"+CFUN: {modem.cfun}"]
    level, reset = inv.int_arg(0, 1), inv.int_arg(1, 0)
    if level not in _levels(modem.profile.cfun_test) or reset not in (0, 1):
        raise CmeError(50)
    if reset:
        modem.network.reboot(modem)  # OK first, then the port goes away
        return []
    modem.cfun = level
    if level == 1:
        modem.start_registration()
    else:
        modem.deregister()
    return []
