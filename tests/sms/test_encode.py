"""Encoders: SUBMIT flags and framing, DELIVER copying user data verbatim, STATUS-REPORT."""

import random
from datetime import UTC, datetime

import pytest

from modemd.errors import InvalidInputError
from modemd.sms import (
    Address,
    Concat,
    Deliver,
    StatusReport,
    Submit,
    decode_from_ms,
    decode_from_sc,
    deliver_user_data,
    encode_deliver,
    encode_status_report,
    encode_submit,
)

NUMBER = "+15551234567"
NOW = datetime(2025, 9, 1, 8, 30, 0, tzinfo=UTC)


def submit(pdu: str) -> Submit:
    decoded = decode_from_ms(pdu)
    assert isinstance(decoded, Submit), decoded
    return decoded


def test_single_part_submit_defaults() -> None:
    (part,) = encode_submit(NUMBER, "hello")
    assert part.pdu == "0021000B915155214365F7000005E8329BFD06"
    assert (part.tpdu_length, part.concat, part.text) == (18, None, "hello")
    decoded = submit(part.pdu)
    assert decoded.status_report_requested and not decoded.reject_duplicates
    assert (decoded.validity, decoded.protocol_id, decoded.message_reference) == (None, 0, 0)


def test_flags_and_validity() -> None:
    (part,) = encode_submit(NUMBER, "hi", status_report=False, reject_duplicates=True,
                            validity=0xA7, message_reference=200)
    decoded = submit(part.pdu)
    assert int(part.pdu[2:4], 16) == 0x01 | 0x04 | 0x10  # SUBMIT, RD, VPF relative
    assert not decoded.status_report_requested and decoded.reject_duplicates
    assert (decoded.validity, decoded.message_reference) == (0xA7, 200)


def test_smsc_prefix_and_tpdu_length() -> None:
    (part,) = encode_submit(NUMBER, "hi", smsc="+15550000000")
    assert part.pdu.startswith("07915155000000F0")
    assert part.tpdu_length == len(part.pdu) // 2 - 8


def test_multipart_gets_one_fresh_reference_from_rng() -> None:
    parts = encode_submit(NUMBER, "x" * 400, rng=random.Random(7))
    references = {part.concat.reference for part in parts if part.concat}
    assert len(parts) == 3 and len(references) == 1
    assert references == {random.Random(7).randint(0, 255)}
    assert [part.concat.sequence for part in parts if part.concat] == [1, 2, 3]
    wide = encode_submit(NUMBER, "x" * 400, wide_reference=True, rng=random.Random(7))
    assert wide[0].concat == Concat(random.Random(7).randint(0, 0xFFFF), 3, 1, True)


def test_references_vary_without_rng() -> None:
    seen = {encode_submit(NUMBER, "x" * 200)[0].concat.reference for _ in range(40)}
    assert len(seen) > 1


@pytest.mark.parametrize(("kwargs", "error"), [
    (dict(reference=256), "0-255"),
    (dict(reference=-1), "0-255"),
    (dict(reference=65536, wide_reference=True), "0-65535"),
    (dict(message_reference=256), "message_reference"),
    (dict(validity=300), "validity"),
    (dict(smsc="SMSC"), "phone number"),
])
def test_submit_refuses_out_of_range_values(kwargs: dict, error: str) -> None:
    with pytest.raises(InvalidInputError, match=error):
        encode_submit(NUMBER, "x" * 200, **kwargs)


@pytest.mark.parametrize("destination", ["", "  ", "+", "1" * 21, "Google", "555-CALL-NOW"])
def test_submit_refuses_bad_destinations(destination: str) -> None:
    with pytest.raises(InvalidInputError):
        encode_submit(destination, "hi")


def test_submit_to_an_explicit_address() -> None:
    (part,) = encode_submit(Address("5551234", 0xA1), "hi")
    assert submit(part.pdu).destination == Address("5551234", 0xA1)


def test_deliver_copies_submitted_user_data_verbatim() -> None:
    # What an SMSC (the emulator) does: take the SUBMIT's user data, wrap it in a DELIVER.
    for part in encode_submit(NUMBER, "Grüße 😀 " * 20, reference=9):
        user_data = submit(part.pdu).user_data
        out = encode_deliver("+447700900123", user_data, timestamp=NOW)
        decoded = decode_from_sc(out.pdu)
        assert isinstance(decoded, Deliver)
        assert decoded.user_data == user_data
        assert (out.concat, out.text) == (part.concat, part.text)
        assert out.tpdu_length == len(out.pdu) // 2 - 8


def test_deliver_flags() -> None:
    (user_data,) = deliver_user_data("hi")
    out = encode_deliver("Google", user_data, timestamp=NOW, smsc=None,
                         more_messages_to_send=True, status_report_indication=True,
                         protocol_id=0x41)
    decoded = decode_from_sc(out.pdu)
    assert isinstance(decoded, Deliver)
    assert out.pdu.startswith("0020")  # no SMSC; MMS bit clear = more waiting; SRI
    assert decoded.more_messages_to_send and decoded.status_report_indication
    assert (decoded.protocol_id, decoded.originator, decoded.smsc) == (
        0x41, Address("Google", 0xD0), None)
    assert decoded.service_centre_time == NOW


def test_deliver_needs_an_aware_timestamp() -> None:
    (user_data,) = deliver_user_data("hi")
    with pytest.raises(InvalidInputError, match="time zone"):
        encode_deliver(NUMBER, user_data, timestamp=datetime(2025, 1, 1))


@pytest.mark.parametrize(("status", "outcome"), [
    (0x00, "delivered"), (0x02, "delivered"), (0x1F, "delivered"),
    (0x20, "pending"), (0x25, "pending"), (0x3F, "pending"),
    (0x03, "failed"), (0x26, "failed"), (0x40, "failed"), (0x63, "failed"), (0x7F, "failed"),
    (0x80, "failed"), (0xFF, "failed"),
])
def test_status_report(status: int, outcome: str) -> None:
    out = encode_status_report(77, NUMBER, submitted_at=NOW, discharged_at=NOW, status=status)
    decoded = decode_from_sc(out.pdu)
    assert isinstance(decoded, StatusReport)
    assert (decoded.message_reference, decoded.recipient, decoded.status, decoded.outcome) == (
        77, Address(NUMBER, 0x91), status, outcome)
    assert decoded.discharge_time == NOW
    assert out.tpdu_length == len(out.pdu) // 2 - 8


def test_status_report_refuses_non_octets() -> None:
    with pytest.raises(InvalidInputError, match="TP-ST"):
        encode_status_report(1, NUMBER, submitted_at=NOW, discharged_at=NOW, status=256)
