"""Send and receive through the driver: text exact end to end, MR recorded per part."""

from __future__ import annotations

import pytest

from modemd.modem import Stored
from modemd.sms import Deliver, encode_submit

TEXTS = {
    "gsm7": "Hello, your ticket #4711 is solved.",
    "extension": "Braces {x} [y] ~z^ | \\ and the euro: €",
    "section_sign": "Law § 12 applies",
    "backtick": "Run `make` first",
    "emoji": "Thanks! 😀👍",
    "cjk": "您好\uff0c您的订单已发货",  # with a full-width comma
    "gsm7_3_parts": "Long GSM-7 message. " * 20,
    "ucs2_3_parts": "長いメッセージ😀" * 22,
}


def receive_all(line, count: int) -> list[Deliver]:
    """Read (then delete) `count` stored messages announced by +CMTI."""
    found = []
    while len(found) < count:
        event = line.next_event()
        if not isinstance(event, Stored) or event.report:
            continue
        with line.modem.storage(event.memory) as session:
            message = session.read(event.index)
            assert message is not None
            session.delete(event.index)
        assert isinstance(message.decoded, Deliver), message.decoded
        found.append(message.decoded)
    return found


def reassemble(parts: list[Deliver]) -> str:
    parts = sorted(parts, key=lambda p: p.concat.sequence if p.concat else 1)
    references = {(p.concat.reference, p.concat.total) for p in parts if p.concat}
    assert len(references) <= 1, "all parts carry one concatenation reference"
    return "".join(p.text for p in parts)


@pytest.mark.parametrize("name", list(TEXTS))
def test_text_is_exact_end_to_end_and_each_part_has_its_mr(rig, make_line, name):
    sender, receiver = make_line(1), make_line(2)
    sender.modem.initialize()
    receiver.modem.initialize()
    text = TEXTS[name]
    parts = encode_submit(receiver.spec.number, text, wide_reference=name == "ucs2_3_parts")
    if name.endswith("3_parts"):
        assert len(parts) == 3
    references = [sender.modem.send_part(part) for part in parts]
    assert references == [s["mr"] for s in rig.submitted(sender.spec.name)]
    received = receive_all(receiver, len(parts))
    assert reassemble(received) == text
    assert {d.originator.number for d in received} == {sender.spec.number}


def test_sixteen_bit_reference_survives_the_round_trip(rig, make_line):
    sender, receiver = make_line(1), make_line(2)
    sender.modem.initialize()
    receiver.modem.initialize()
    parts = encode_submit(receiver.spec.number, "x" * 400, reference=0xBEEF, wide_reference=True)
    for part in parts:
        sender.modem.send_part(part)
    received = receive_all(receiver, len(parts))
    assert {(d.concat.reference, d.concat.wide) for d in received} == {(0xBEEF, True)}
    assert reassemble(received) == "x" * 400


def test_alphanumeric_sender_arrives_as_alphanumeric(rig, make_line):
    receiver = make_line(1)
    receiver.modem.initialize()
    rig.inject(receiver.spec.name, "ACME Corp", "Your parcel is on its way")
    (message,) = receive_all(receiver, 1)
    assert message.originator.is_alphanumeric
    assert message.originator.number == "ACME Corp"
    assert message.text == "Your parcel is on its way"


def test_status_report_is_announced_and_readable(rig, make_line):
    sender, receiver = make_line(1), make_line(2)
    sender.modem.initialize()
    receiver.modem.initialize()
    rig.set_reports(status=0x00)
    (part,) = encode_submit(receiver.spec.number, "report me", status_report=True)
    reference = sender.modem.send_part(part)
    event = sender.next_event()
    while not (isinstance(event, Stored) and event.report):
        event = sender.next_event()
    with sender.modem.storage(event.memory) as session:
        report = session.read(event.index)
    assert report is not None
    assert report.decoded.message_reference == reference
    assert report.decoded.outcome == "delivered"
