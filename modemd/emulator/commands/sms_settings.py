"""SMS settings: +CMGF, +CSCA, +CSMS, +CSMP, +CNMI, +CPMS, +CSDH, +CNMA."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modemd.emulator import receive
from modemd.emulator.cmdline import CommandLineError, Invocation
from modemd.emulator.commands.registry import command
from modemd.emulator.replies import CMS_FOR_SIM_CME, CmsError
from modemd.emulator.sim import SimError

if TYPE_CHECKING:
    from modemd.emulator.modem import EmulatedModem

CNMI_RANGES = ((0, 1, 2), (0, 1, 2, 3), (0, 2), (0, 1, 2), (0, 1))


def require_sms_ready(modem: EmulatedModem) -> None:
    """SMS commands report SIM trouble as +CMS ERROR (310/311/316/313)."""
    try:
        modem.sim.require_ready()
    except SimError as error:
        raise CmsError(CMS_FOR_SIM_CME.get(error.cme, 500)) from error


def _int_args(inv: Invocation) -> list[int | None]:
    try:
        return [inv.int_arg(i) for i in range(len(inv.args))]
    except CommandLineError as error:
        raise CmsError(302) from error


@command("+CMGF")
def message_format(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return ["+CMGF: (0,1)"]
    if inv.form == "read":
        return [f"+CMGF: {modem.settings.cmgf}"]
    value = _int_args(inv)[0] if inv.args else 0
    if value not in (0, 1):
        raise CmsError(302)
    modem.settings.cmgf = value
    return []


@command("+CSCA")
def service_centre(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return []
    require_sms_ready(modem)
    if inv.form == "read":
        number, kind = modem.settings.csca
        return [f'+CSCA: "{number}",{kind}']
    number = inv.arg(0)
    if not number:
        raise CmsError(330)
    kind = 145 if number.startswith("+") else 129
    modem.settings.csca = (number, inv.int_arg(1, kind) or kind)
    return []


@command("+CSMS")
def message_service(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return ["+CSMS: (0,1)"]
    if inv.form == "read":
        return [f"+CSMS: {modem.settings.csms},1,1,1"]
    value = _int_args(inv)[0] if inv.args else None
    if value not in (0, 1):
        raise CmsError(302)
    modem.settings.csms = value
    return ["+CSMS: 1,1,1"]


@command("+CSMP")
def text_parameters(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return []
    if inv.form == "read":
        return ["+CSMP: " + ",".join(str(v) for v in modem.settings.csmp)]
    for index, value in enumerate(_int_args(inv)[:4]):
        if value is not None:
            modem.settings.csmp[index] = value
    return []


@command("+CSDH")
def show_header(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return ["+CSDH: (0,1)"]
    if inv.form == "read":
        return [f"+CSDH: {modem.settings.csdh}"]
    modem.settings.csdh = 1 if (_int_args(inv) or [0])[0] else 0
    return []


@command("+CNMI")
def new_message_indications(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return [modem.profile.cnmi_test]
    if inv.form == "read":
        return ["+CNMI: " + ",".join(str(v) for v in modem.settings.cnmi)]
    values = list(modem.settings.cnmi)
    for index, value in enumerate(_int_args(inv)):
        if index >= 5 or (value is not None and value not in CNMI_RANGES[index]):
            raise CmsError(303)
        if value is not None:
            values[index] = value
    left_buffering = modem.settings.cnmi[0] == 0 and values[0] != 0
    modem.settings.cnmi = values
    if left_buffering:
        modem.flush_ta_buffer(discard=values[4] == 1)
    return []


@command("+CPMS")
def preferred_storage(modem: EmulatedModem, inv: Invocation) -> list[str]:
    storages = modem.sim.storages
    if inv.form == "test":
        read = ",".join(f'"{m}"' for m in storages)
        write = ",".join(f'"{m}"' for m in storages if m != "SR")
        return [f"+CPMS: ({read}),({write}),({write})"]
    require_sms_ready(modem)
    if inv.form == "read":
        fields = [f'"{m}",{storages[m].used},{storages[m].capacity}' for m in modem.settings.cpms]
        return ["+CPMS: " + ",".join(fields)]
    chosen = list(modem.settings.cpms)
    for index, requested in enumerate(inv.args[:3]):
        name = requested.upper()
        if name not in storages or (index > 0 and name == "SR"):
            raise CmsError(302)
        chosen[index] = name
    modem.settings.cpms = chosen
    counts = [f"{storages[m].used},{storages[m].capacity}" for m in chosen]
    return ["+CPMS: " + ",".join(counts)]


@command("+CNMA")
def acknowledge(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return ["+CNMA: (0-2)"]
    if not receive.acknowledge(modem):
        raise CmsError(340)
    return []


@command("+CSAS", "+CRES")
def save_restore(modem: EmulatedModem, inv: Invocation) -> list[str]:
    return []
