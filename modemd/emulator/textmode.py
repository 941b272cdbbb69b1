"""Text mode (+CMGF=1) views of stored and incoming messages, and +CSCS conversion."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from modemd.emulator.replies import CmsError
from modemd.emulator.storage import Stored
from modemd.sms import Deliver, StatusReport, Submit, decode_from_ms, decode_from_sc

if TYPE_CHECKING:
    from modemd.emulator.modem import EmulatedModem


def to_te(modem: EmulatedModem, text: str) -> str:
    """Text as the TE's character set (+CSCS) shows it."""
    if modem.settings.cscs == "UCS2":
        return text.encode("utf-16-be").hex().upper()
    return text


def from_te(modem: EmulatedModem, text: str) -> str:
    """Text the TE typed, in its character set."""
    if modem.settings.cscs != "UCS2":
        return text
    try:
        return bytes.fromhex(text).decode("utf-16-be")
    except ValueError as error:
        raise CmsError(305) from error


def scts(moment: datetime | None) -> str:
    """27.005 time string "yy/MM/dd,hh:mm:ss±zz" (zz in quarter hours)."""
    if moment is None:
        return "00/00/00,00:00:00+00"
    offset = moment.utcoffset()
    quarters = int(offset.total_seconds() // 900) if offset else 0
    sign = "-" if quarters < 0 else "+"
    return f"{moment:%y/%m/%d,%H:%M:%S}{sign}{abs(quarters):02d}"


def _deliver_header(modem: EmulatedModem, message: Deliver, lead: str) -> str:
    address = to_te(modem, message.originator.number)
    header = f'{lead}"{address}",,"{scts(message.service_centre_time)}"'
    if modem.settings.csdh:
        data = message.user_data
        header += f",{message.originator.type_of_address},4,{message.protocol_id}"
        header += f',{data.data_coding},"{modem.settings.csca[0]}",145,{len(message.text)}'
    return header


def _report_fields(message: StatusReport) -> str:
    ra = message.recipient
    return (
        f'6,{message.message_reference},"{ra.number}",{ra.type_of_address},'
        f'"{scts(message.service_centre_time)}","{scts(message.discharge_time)}",{message.status}'
    )


def direct_lines(modem: EmulatedModem, name: str, pdu: str) -> tuple[str, str | None]:
    """+CMT / +CDS in text mode: the header line and, for +CMT, the text line."""
    message = decode_from_sc(pdu)
    if isinstance(message, StatusReport):
        return f"{name}: {_report_fields(message)}", None
    if isinstance(message, Deliver):
        return _deliver_header(modem, message, f"{name}: "), to_te(modem, message.text)
    return f"{name}: ,{len(pdu) // 2}", pdu


def listing(modem: EmulatedModem, lead: str, stored: Stored) -> list[str]:
    """+CMGL/+CMGR lines in text mode; lead is "+CMGL: 3," or "+CMGR: "."""
    stat = f'"{stored.stat.text_name}"'
    if stored.stat.value >= 2:
        message = decode_from_ms(stored.pdu)
        if isinstance(message, Submit):
            address = to_te(modem, message.destination.number)
            return [f'{lead}{stat},"{address}",', to_te(modem, message.text)]
    else:
        message = decode_from_sc(stored.pdu)
        if isinstance(message, StatusReport):
            return [f"{lead}{stat},{_report_fields(message)}"]
        if isinstance(message, Deliver):
            return [_deliver_header(modem, message, f"{lead}{stat},"), to_te(modem, message.text)]
    return [f"{lead}{stat},,", stored.pdu]  # undecodable: shown raw, never hidden
