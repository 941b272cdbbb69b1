"""V.250 basics and identity: E, V, Q, Z, &F, I, S-registers, +CMEE, +CGMI.., +CLAC."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modemd.emulator.cmdline import Invocation
from modemd.emulator.commands.registry import HANDLERS, Handler, command
from modemd.emulator.replies import CmeError, PlainError, Reply
from modemd.emulator.settings import Settings
from modemd.emulator.sim import SimState

if TYPE_CHECKING:
    from modemd.emulator.modem import EmulatedModem


def _flag(invocation: Invocation, upper: int = 1) -> int:
    value = int(invocation.number or 0)
    if value > upper:
        raise PlainError(invocation.name)
    return value


@command("E")
def echo(modem: EmulatedModem, inv: Invocation) -> list[str]:
    modem.settings.echo = bool(_flag(inv))
    return []


@command("V")
def verbose(modem: EmulatedModem, inv: Invocation) -> list[str]:
    modem.settings.verbose = bool(_flag(inv))
    return []


@command("Q")
def quiet(modem: EmulatedModem, inv: Invocation) -> list[str]:
    modem.settings.quiet = bool(_flag(inv))
    return []


@command("Z", "&F")
def reset(modem: EmulatedModem, inv: Invocation) -> list[str]:
    modem.settings = Settings.defaults(modem.profile)
    return []


@command("&C", "&D", "&K", "&W", "&V", "H", "X", "L", "M", "+CLIP", "+CRC", "+CVHU", "+CMER")
def accept(modem: EmulatedModem, inv: Invocation) -> Reply:
    """Accepted and ignored: settings that matter to voice/data, not to SMS."""
    if inv.form == "read":
        return Reply([f"{inv.name}: 0"])
    return Reply()


@command("I")
def information(modem: EmulatedModem, inv: Invocation) -> list[str]:
    return [text.format(imei=modem.spec.imei) for text in modem.profile.ati]


def _identity(value: str) -> Handler:
    def handler(modem: EmulatedModem, inv: Invocation) -> list[str]:
        if inv.form == "test":
            return []
        return [str(getattr(modem.profile, value))]

    return handler


for _name, _field in (("CGMI", "manufacturer"), ("CGMM", "model"), ("CGMR", "revision")):
    command(f"+{_name}", f"+{_name[1:]}")(_identity(_field))  # +CGMI and +GMI alike


@command("+CGSN", "+GSN")
def imei(modem: EmulatedModem, inv: Invocation) -> list[str]:
    return [] if inv.form == "test" else [modem.spec.imei]


@command("+CIMI")
def imsi(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return []
    modem.sim.require_ready()
    return [modem.sim.imsi]


def iccid(modem: EmulatedModem, inv: Invocation) -> list[str]:
    """+CCID and vendor forms (^ICCID, +QCCID, !ICCID): the prefix is the profile's."""
    if inv.form == "test":
        return []
    if modem.sim.state == SimState.ABSENT:
        raise CmeError(10)
    return [modem.profile.iccid_commands[inv.name] + modem.sim.iccid]


@command("+CNUM")
def own_number(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return []
    modem.sim.require_ready()
    number = modem.sim.number
    return [f'+CNUM: "","{number}",145'] if number else []


@command("+CMEE")
def cmee(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return ["+CMEE: (0-2)"]
    if inv.form == "read":
        return [f"+CMEE: {modem.settings.cmee}"]
    value = inv.int_arg(0, 0)
    if value not in (0, 1, 2):
        raise CmeError(50)
    modem.settings.cmee = value
    return []


@command("+GCAP")
def capabilities(modem: EmulatedModem, inv: Invocation) -> list[str]:
    return ["+GCAP: +CGSM"]


@command("+CLAC")
def list_commands(modem: EmulatedModem, inv: Invocation) -> list[str]:
    vendor = [*modem.profile.iccid_commands, *modem.profile.vendor_ok]
    return sorted({f"AT{name}" for name in [*HANDLERS, *vendor]})


@command("+CSCS")
def character_set(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return ['+CSCS: ("GSM","IRA","UCS2","HEX","8859-1")']
    if inv.form == "read":
        return [f'+CSCS: "{modem.settings.cscs}"']
    value = (inv.arg(0) or "").upper()
    if value not in ("GSM", "IRA", "UCS2", "HEX", "8859-1"):
        raise CmeError(4)
    modem.settings.cscs = value
    return []


def s_register(modem: EmulatedModem, inv: Invocation) -> list[str]:
    number = int(inv.name[1:])
    special = {3: "s3", 4: "s4", 5: "s5"}
    if inv.form == "read":
        value = getattr(modem.settings, special[number]) if number in special else None
        return [f"{value if value is not None else modem.settings.s_registers.get(number, 0):03d}"]
    if inv.form == "set":
        value = int(inv.arg(0, "0") or 0)
        if value > 255:
            raise PlainError(inv.name)
        if number in special:
            setattr(modem.settings, special[number], value)
        else:
            modem.settings.s_registers[number] = value
    return []


for _number in range(13):
    command(f"S{_number}")(s_register)


@command("^CURC")
def unsolicited_reports(modem: EmulatedModem, inv: Invocation) -> list[str]:
    """Huawei: ^CURC=0 stops the periodic ^RSSI/^BOOT chatter, ^CURC=1 restarts it."""
    if inv.form == "test":
        return ["^CURC: (0-1)"]
    if inv.form == "read":
        return [f"^CURC: {modem.settings.curc}"]
    value = inv.int_arg(0, 1)
    if value not in (0, 1):
        raise CmeError(50)
    modem.settings.curc = value
    return []
