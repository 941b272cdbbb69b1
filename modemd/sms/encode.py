"""Encoding PDUs: SUBMIT for sending, DELIVER and STATUS-REPORT for the network side (emulator).

Every PDU starts with the SMSC field ("00" = the SIM's SMSC); tpdu_length counts the octets
after it, which is what AT+CMGS=<n> and the <length> of +CMT/+CMGR/+CMGL mean.
"""

import random
from dataclasses import dataclass
from datetime import datetime

from modemd.errors import InvalidInputError
from modemd.sms.address import Address, encode_address, encode_smsc
from modemd.sms.split import deliver_user_data
from modemd.sms.timestamp import encode_timestamp
from modemd.sms.tpdu import MTI_DELIVER, MTI_STATUS_REPORT, MTI_SUBMIT, UDHI
from modemd.sms.userdata import Concat, UserData

_SUBMIT_VPF_RELATIVE = 0x10
_REJECT_DUPLICATES = 0x04
_NO_MORE_MESSAGES = 0x04  # TP-MMS set means "no more messages waiting"
_STATUS_REPORT_FLAG = 0x20  # TP-SRR in SUBMIT, TP-SRI in DELIVER


@dataclass(frozen=True)
class OutboundPdu:
    """One PDU ready for the modem (or, from the emulator, for the driver)."""

    pdu: str
    tpdu_length: int
    concat: Concat | None
    text: str


def encode_submit(
    destination: str | Address,
    text: str,
    *,
    status_report: bool = True,
    reference: int | None = None,
    wide_reference: bool = False,
    message_reference: int = 0,
    validity: int | None = None,
    reject_duplicates: bool = False,
    smsc: str | None = None,
    rng: random.Random | None = None,
) -> list[OutboundPdu]:
    """SMS-SUBMIT PDUs for `text`, one per part, concatenated with a fresh reference."""
    address = _destination(destination)
    _check_octet("message_reference", message_reference)
    if validity is not None:
        _check_octet("validity (relative TP-VP)", validity)
    smsc_field = encode_smsc(smsc)
    first = (MTI_SUBMIT
             | (_STATUS_REPORT_FLAG if status_report else 0)
             | (_REJECT_DUPLICATES if reject_duplicates else 0)
             | (_SUBMIT_VPF_RELATIVE if validity is not None else 0))
    # TP-MR, TP-DA, TP-PID (0: a plain message for a phone) are the same in every part.
    head = bytes([message_reference]) + encode_address(address) + b"\x00"
    validity_field = b"" if validity is None else bytes([validity])
    parts = deliver_user_data(text, reference=reference, wide_reference=wide_reference, rng=rng)
    return [
        _outbound(smsc_field, _submit_tpdu(first, head, validity_field, part), part)
        for part in parts
    ]


def _submit_tpdu(first: int, head: bytes, validity_field: bytes, part: UserData) -> bytes:
    # first octet, TP-MR/DA/PID, TP-DCS, TP-VP, TP-UDL, TP-UD
    return (bytes([_with_udhi(first, part)]) + head + bytes([part.data_coding])
            + validity_field + _user_data_field(part))


def encode_deliver(
    originator: str | Address,
    user_data: UserData,
    *,
    timestamp: datetime,
    smsc: str | None = "+15550000000",
    more_messages_to_send: bool = False,
    status_report_indication: bool = False,
    protocol_id: int = 0,
) -> OutboundPdu:
    """SMS-DELIVER carrying `user_data` verbatim (DCS, UDL, payload), as an SMSC would."""
    address = originator if isinstance(originator, Address) else Address.parse(originator)
    _check_octet("protocol_id", protocol_id)
    first = (MTI_DELIVER | (0 if more_messages_to_send else _NO_MORE_MESSAGES)
             | (_STATUS_REPORT_FLAG if status_report_indication else 0))
    tpdu = (bytes([_with_udhi(first, user_data)]) + encode_address(address)
            + bytes([protocol_id, user_data.data_coding]) + encode_timestamp(timestamp)
            + _user_data_field(user_data))
    return _outbound(encode_smsc(smsc), tpdu, user_data)


def encode_status_report(
    message_reference: int,
    recipient: str | Address,
    *,
    submitted_at: datetime,
    discharged_at: datetime,
    status: int,
    smsc: str | None = "+15550000000",
) -> OutboundPdu:
    """SMS-STATUS-REPORT for a message we (the network) took with TP-MR `message_reference`."""
    address = recipient if isinstance(recipient, Address) else Address.parse(recipient)
    _check_octet("message_reference", message_reference)
    _check_octet("status (TP-ST)", status)
    tpdu = (bytes([MTI_STATUS_REPORT | _NO_MORE_MESSAGES, message_reference])
            + encode_address(address) + encode_timestamp(submitted_at)
            + encode_timestamp(discharged_at) + bytes([status]))
    return OutboundPdu((encode_smsc(smsc) + tpdu).hex().upper(), len(tpdu), None, "")


def _destination(destination: str | Address) -> Address:
    if isinstance(destination, Address):
        return destination
    address = Address.parse(destination)
    if address.is_alphanumeric:  # a name is a sender ID, never somewhere we can send to
        raise InvalidInputError(
            f"destination {destination!r} is not a phone number; give digits, e.g. "
            "'+15551234567'"
        )
    return address


def _check_octet(name: str, value: int) -> None:
    if not 0 <= value <= 0xFF:
        raise InvalidInputError(f"{name} {value} is out of range 0-255")


def _with_udhi(first: int, user_data: UserData) -> int:
    # A header implies TP-UDHI. (A UDH of zero length cannot be told apart and is dropped.)
    return first | (UDHI if user_data.header else 0)


def _user_data_field(user_data: UserData) -> bytes:
    return bytes([user_data.length]) + user_data.payload


def _outbound(smsc_field: bytes, tpdu: bytes, user_data: UserData) -> OutboundPdu:
    return OutboundPdu((smsc_field + tpdu).hex().upper(), len(tpdu), user_data.concat,
                       user_data.text)
