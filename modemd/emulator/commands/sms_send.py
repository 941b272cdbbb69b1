"""Sending: +CMGS and +CMSS, and what Ctrl-Z completes (+CMGS, +CMGW)."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

from modemd.emulator import textmode
from modemd.emulator.cmdline import Invocation
from modemd.emulator.commands.registry import command, completes
from modemd.emulator.commands.sms_settings import require_sms_ready
from modemd.emulator.commands.sms_storage import store_written
from modemd.emulator.replies import CmsError, Prompt, Reply
from modemd.emulator.storage import Stat
from modemd.errors import InvalidInputError
from modemd.sms import Address, Submit, decode_from_ms, encode_submit

if TYPE_CHECKING:
    from modemd.emulator.modem import EmulatedModem

MAX_TPDU = 175  # octets: the largest SMS-SUBMIT


@command("+CMGS")
def send_message(modem: EmulatedModem, inv: Invocation) -> Prompt | list[str]:
    if inv.form == "test":
        return []
    require_sms_ready(modem)
    if modem.settings.cmgf == 1:
        destination = textmode.from_te(modem, inv.arg(0) or "")
        if not destination:
            raise CmsError(305)
        return Prompt("+CMGS", None, destination=destination)
    length = inv.int_arg(0)
    if length is None or not 1 <= length <= MAX_TPDU:
        raise CmsError(304)
    return Prompt("+CMGS", length)


def _pdu_input(modem: EmulatedModem, prompt: Prompt, data: str) -> tuple[str, int]:
    """The PDU the DTE typed, checked against the length it announced."""
    if prompt.destination is not None:
        return _text_to_pdu(modem, prompt.destination, data)
    pdu = "".join(data.split()).upper()
    try:
        octets = bytes.fromhex(pdu)
    except ValueError as error:
        raise CmsError(304) from error
    if not octets or len(octets) - 1 - octets[0] != prompt.length:
        raise CmsError(304)
    return pdu, prompt.length or 0


def _text_to_pdu(modem: EmulatedModem, destination: str, data: str) -> tuple[str, int]:
    first_octet = modem.settings.csmp[0]
    try:
        parts = encode_submit(destination, textmode.from_te(modem, data),
                              status_report=bool(first_octet & 0x20))
    except InvalidInputError as error:
        raise CmsError(305) from error
    if len(parts) != 1:
        raise CmsError(305)  # text mode carries one part; longer text is the TE's job
    return parts[0].pdu, parts[0].tpdu_length


def submit(modem: EmulatedModem, message: Submit, pdu: str, name: str) -> Reply:
    """Hand a SUBMIT to the network and answer with the MR the ME assigned."""
    code = modem.faults.take_cms() or (None if modem.in_service else 331)
    if code:
        modem.refused.append({**_record(message, None, pdu), "cms": code})
        raise CmsError(code)
    modem.last_mr = (modem.last_mr + 1) % 256
    mr = modem.last_mr
    modem.submitted.append(_record(message, mr, pdu))
    modem.network.submit(modem, message, mr, pdu)
    return Reply([f"{name}: {mr}"], delay=modem.network.submit_delay)


def _record(message: Submit, mr: int | None, pdu: str) -> dict:
    concat = message.user_data.concat
    return {
        "time": time.time(),
        "mr": mr,
        "to": message.destination.number,
        "text": message.text,
        "encoding": message.user_data.encoding.value,
        "udh": message.user_data.header.hex().upper(),
        "concat": dataclasses.asdict(concat) if concat else None,
        "srr": message.status_report_requested,
        "dcs": message.user_data.data_coding,
        "pdu": pdu,
    }


def _decoded(pdu: str) -> Submit:
    message = decode_from_ms(pdu)
    if not isinstance(message, Submit):
        raise CmsError(304)
    return message


@completes("+CMGS")
def complete_send(modem: EmulatedModem, prompt: Prompt, data: str) -> Reply:
    pdu, _ = _pdu_input(modem, prompt, data)
    return submit(modem, _decoded(pdu), pdu, "+CMGS")


@completes("+CMGW")
def complete_write(modem: EmulatedModem, prompt: Prompt, data: str) -> Reply:
    pdu, length = _pdu_input(modem, prompt, data)
    _decoded(pdu)
    return store_written(modem, prompt.stat, pdu, length)


@command("+CMSS")
def send_stored(modem: EmulatedModem, inv: Invocation) -> Reply:
    if inv.form == "test":
        return Reply()
    require_sms_ready(modem)
    memory = modem.sim.storages[modem.settings.cpms[1]]
    index = inv.int_arg(0)
    stored = memory.get(index) if index is not None else None
    if stored is None or stored.is_report:
        raise CmsError(321)
    message = _decoded(stored.pdu)
    if inv.arg(1):
        message = dataclasses.replace(message, destination=Address.parse(inv.arg(1) or ""))
    reply = submit(modem, message, stored.pdu, "+CMSS")
    stored.stat = Stat.STO_SENT
    return reply
