"""Decoding TPDUs (TS 23.040 clause 9.2.2): SMS-DELIVER, SMS-SUBMIT, SMS-STATUS-REPORT.

decode_from_sc / decode_from_ms never raise: whatever is wrong becomes Undecodable(reason),
so a bad PDU is quarantined instead of stalling the receiver.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import cast

from modemd.sms.address import Address, decode_address, decode_smsc
from modemd.sms.reader import MalformedPduError, Reader
from modemd.sms.timestamp import TIMESTAMP_OCTETS, decode_timestamp
from modemd.sms.userdata import Concat, UserData, parse_user_data

MTI_DELIVER, MTI_SUBMIT, MTI_STATUS_REPORT = 0b00, 0b01, 0b10
UDHI = 0x40
_HEX = re.compile(r"[0-9A-Fa-f]*")


class _UserDataShortcuts:
    """text and concat straight from the user data, for SUBMIT and DELIVER alike."""

    user_data: UserData

    @property
    def text(self) -> str:
        return self.user_data.text

    @property
    def concat(self) -> Concat | None:
        return self.user_data.concat


@dataclass(frozen=True)
class Submit(_UserDataShortcuts):
    """SMS-SUBMIT (outbound, MS -> SC)."""

    destination: Address
    user_data: UserData
    message_reference: int
    status_report_requested: bool
    reject_duplicates: bool
    protocol_id: int
    validity: int | None


@dataclass(frozen=True)
class Deliver(_UserDataShortcuts):
    """SMS-DELIVER (inbound, SC -> MS)."""

    originator: Address
    user_data: UserData
    service_centre_time: datetime | None
    protocol_id: int
    more_messages_to_send: bool
    status_report_indication: bool
    smsc: Address | None


class ReportOutcome(StrEnum):
    DELIVERED = "delivered"
    PENDING = "pending"  # the SC is still trying
    FAILED = "failed"


@dataclass(frozen=True)
class StatusReport:
    """SMS-STATUS-REPORT (SC -> MS): what became of a message we submitted."""

    message_reference: int
    recipient: Address
    service_centre_time: datetime | None
    discharge_time: datetime | None
    status: int
    smsc: Address | None

    @property
    def outcome(self) -> ReportOutcome:
        """What TP-ST (23.040 clause 9.2.3.15) says of the message."""
        return status_outcome(self.status)


@dataclass(frozen=True)
class Undecodable:
    """A PDU we could not decode, kept raw with the reason (quarantine, never dropped)."""

    pdu: str
    reason: str


def status_outcome(status: int) -> ReportOutcome:
    # Completed: 0x00-0x02 and SC-specific 0x10-0x1F. Still trying: 0x20-0x25 and SC-specific
    # 0x30-0x3F. Everything else is a final error; 23.040 says reserved values are read as
    # "service rejected" (0x63), a final error too.
    if status <= 0x02 or 0x10 <= status <= 0x1F:
        return ReportOutcome.DELIVERED
    if 0x20 <= status <= 0x25 or 0x30 <= status <= 0x3F:
        return ReportOutcome.PENDING
    return ReportOutcome.FAILED


def decode_from_sc(pdu: str, *, has_smsc: bool = True) -> Deliver | StatusReport | Undecodable:
    """Decode a PDU a modem received (+CMT, +CDS, CMGR/CMGL of a received message)."""
    decoded = _guarded(pdu, has_smsc, {MTI_DELIVER: _deliver, MTI_STATUS_REPORT: _status_report},
                       {MTI_SUBMIT: "SMS-SUBMIT-REPORT"})
    return cast(Deliver | StatusReport | Undecodable, decoded)


def decode_from_ms(pdu: str, *, has_smsc: bool = True) -> Submit | Undecodable:
    """Decode a PDU a phone sends (AT+CMGS/CMGW payload, stored sent/unsent messages)."""
    decoded = _guarded(pdu, has_smsc, {MTI_SUBMIT: _submit},
                       {MTI_DELIVER: "SMS-DELIVER-REPORT", MTI_STATUS_REPORT: "SMS-COMMAND"})
    return cast(Submit | Undecodable, decoded)


_Decoder = Callable[[Reader, int, Address | None], Deliver | StatusReport | Submit]


def _guarded(
    pdu: str, has_smsc: bool, decoders: dict[int, _Decoder], unsupported: dict[int, str]
) -> Deliver | StatusReport | Submit | Undecodable:
    try:
        reader = Reader(_octets(pdu))
        smsc = decode_smsc(reader) if has_smsc else None
        first = reader.octet("first octet")
        mti = first & 0x03
        if mti not in decoders:
            kind = unsupported.get(mti, "a reserved message type")
            raise MalformedPduError(f"TP-MTI {mti} is {kind}, which is not handled here")
        return decoders[mti](reader, first, smsc)
    except MalformedPduError as exc:
        return Undecodable(str(pdu), str(exc))
    except Exception as exc:  # a decoder bug must quarantine the PDU, not crash the receiver
        return Undecodable(str(pdu), f"internal decoder error: {exc!r}")


def _octets(pdu: str) -> bytes:
    if not isinstance(pdu, str):
        raise MalformedPduError(f"expected a hex string, got {type(pdu).__name__}")
    text = pdu.strip()
    if not text:
        raise MalformedPduError("empty PDU")
    if not _HEX.fullmatch(text):
        bad = next(char for char in text if not _HEX.fullmatch(char))
        raise MalformedPduError(f"not hexadecimal: {bad!r} at position {text.index(bad)}")
    if len(text) % 2:
        raise MalformedPduError(f"odd number of hex digits ({len(text)})")
    return bytes.fromhex(text)


def _deliver(reader: Reader, first: int, smsc: Address | None) -> Deliver:
    originator = decode_address(reader, "TP-OA")
    protocol_id = reader.octet("TP-PID")
    data_coding = reader.octet("TP-DCS")
    timestamp = decode_timestamp(reader.take(TIMESTAMP_OCTETS, "TP-SCTS"))
    length = reader.octet("TP-UDL")
    user_data = parse_user_data(data_coding, bool(first & UDHI), length, reader.rest())
    # TP-MMS is inverted: bit 2 set means "no more messages waiting".
    return Deliver(originator, user_data, timestamp, protocol_id,
                   more_messages_to_send=not first & 0x04,
                   status_report_indication=bool(first & 0x20), smsc=smsc)


# TP-VPF (bits 4..3) -> octets of TP-VP: none, enhanced, relative, absolute.
_VALIDITY_OCTETS = {0b00: 0, 0b01: 7, 0b10: 1, 0b11: 7}
_VPF_RELATIVE = 0b10


def _submit(reader: Reader, first: int, smsc: Address | None) -> Submit:
    message_reference = reader.octet("TP-MR")
    destination = decode_address(reader, "TP-DA")
    protocol_id = reader.octet("TP-PID")
    data_coding = reader.octet("TP-DCS")
    vpf = (first >> 3) & 0x03
    validity_octets = reader.take(_VALIDITY_OCTETS[vpf], "TP-VP")
    validity = validity_octets[0] if vpf == _VPF_RELATIVE else None
    length = reader.octet("TP-UDL")
    user_data = parse_user_data(data_coding, bool(first & UDHI), length, reader.rest())
    return Submit(destination, user_data, message_reference,
                  status_report_requested=bool(first & 0x20),
                  reject_duplicates=bool(first & 0x04), protocol_id=protocol_id,
                  validity=validity)


def _status_report(reader: Reader, first: int, smsc: Address | None) -> StatusReport:
    message_reference = reader.octet("TP-MR")
    recipient = decode_address(reader, "TP-RA")
    submitted = decode_timestamp(reader.take(TIMESTAMP_OCTETS, "TP-SCTS"))
    discharged = decode_timestamp(reader.take(TIMESTAMP_OCTETS, "TP-DT"))
    status = reader.octet("TP-ST")
    # Optional TP-PI/PID/DCS/UD may follow; nothing in them changes the outcome.
    return StatusReport(message_reference, recipient, submitted, discharged, status, smsc)
