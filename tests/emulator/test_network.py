"""The network between emulated lines: delivery, status reports, outside numbers, multipart."""

from __future__ import annotations

import re
import time

import pytest

from modemd.sms import Deliver, StatusReport, decode_from_sc, encode_submit

from .dte import wait_for

CMTI = re.compile(rb'\r\n\+CMTI: "SM",(\d+)\r\n')
CDS = re.compile(rb"\r\n\+CDS: ,?(\d+)\r\n([0-9A-F]+)\r\n")
OUTSIDE = "+15557654321"


def _read_all(dte, count: int) -> list[Deliver]:
    """Wait for count +CMTI, then read each stored message and decode it."""
    indexes = [int(CMTI.search(dte.read_until(CMTI)).group(1)) for _ in range(count)]
    messages = []
    for index in indexes:
        answer = dte.command(f"AT+CMGR={index}")
        match = re.fullmatch(rb"\r\n\+CMGR: 0,,(\d+)\r\n([0-9A-F]+)\r\n\r\nOK\r\n", answer)
        assert match, answer
        message = decode_from_sc(match.group(2).decode())
        assert isinstance(message, Deliver), message
        messages.append(message)
    return messages


def test_line_to_line_arrives_as_deliver_from_the_sender(bench):
    one, two = bench.line(1), bench.line(2)
    one.setup()
    two.setup()
    one.send_text(two.number, "Hello, line two! @£$")
    (message,) = _read_all(two, 1)
    assert message.originator.number == one.number == "+12015550101"
    assert message.originator.type_of_address == 0x91
    assert message.text == "Hello, line two! @£$"
    assert message.service_centre_time is not None
    assert bench.rig.outside() == []
    two.silent(0.1)


def test_outside_number_is_recorded(bench):
    one = bench.line(1)
    one.setup()
    one.send_text(OUTSIDE, "to the world")
    wait_for(bench.rig.outside, what="the outside message")
    (record,) = bench.rig.outside()
    assert (record["from"], record["to"], record["text"]) == (one.number, OUTSIDE, "to the world")
    assert isinstance(record["time"], float)
    assert decode_from_sc(record["pdu"]).originator.number == one.number


def test_status_report_with_configured_status_and_delay(bench):
    one, two = bench.line(1), bench.line(2)
    one.setup("AT+CNMI=2,1,0,1,0")
    two.setup()
    bench.rig.set_reports(status=0x45, delay=0.4)
    (mr,) = one.send_text(two.number, "report back", status_report=True)
    sent_at = time.monotonic()
    urc = one.read_until(CDS, timeout=3)
    elapsed = time.monotonic() - sent_at
    assert elapsed >= 0.35, elapsed
    report = decode_from_sc(CDS.fullmatch(urc).group(2).decode())
    assert isinstance(report, StatusReport)
    assert report.status == 0x45 and report.outcome == "failed"
    assert report.message_reference == mr
    assert report.recipient.number == two.number
    _read_all(two, 1)


def test_status_report_per_recipient(bench):
    one = bench.line(1)
    one.setup("AT+CNMI=2,1,0,1,0")
    bench.rig.set_reports(status=0x60, to="+1 555 765 4321")
    mrs = one.send_text(OUTSIDE, "a", status_report=True)
    mrs += one.send_text("+15550009999", "b", status_report=True)
    reports = {}
    for _ in range(2):
        report = decode_from_sc(CDS.fullmatch(one.read_until(CDS)).group(2).decode())
        reports[report.recipient.number] = (report.message_reference, report.status)
    assert reports == {OUTSIDE: (mrs[0], 0x60), "+15550009999": (mrs[1], 0x00)}


def test_report_only_for_parts_that_asked(bench):
    one = bench.line(1)
    one.setup("AT+CNMI=2,1,0,1,0")
    one.send_text(OUTSIDE, "no report", status_report=False)
    (mr,) = one.send_text(OUTSIDE, "report", status_report=True)
    report = decode_from_sc(CDS.fullmatch(one.read_until(CDS)).group(2).decode())
    assert report.message_reference == mr == 2
    one.silent(0.15)


def test_a_report_for_every_part_of_a_multipart_message(bench):
    one = bench.line(1)
    one.setup("AT+CNMI=2,1,0,1,0")
    mrs = one.send_text(OUTSIDE, "r" * 400, status_report=True)
    assert len(mrs) == 3
    got = sorted(decode_from_sc(CDS.fullmatch(one.read_until(CDS)).group(2).decode())
                 .message_reference for _ in mrs)
    assert got == sorted(mrs)


def test_drop_reports_fault(bench):
    one = bench.line(1)
    one.setup("AT+CNMI=2,1,0,1,0")
    bench.rig.fault(one.name, "drop-reports")
    one.send_text(OUTSIDE, "lost report", status_report=True)
    wait_for(bench.rig.outside)
    one.silent(0.15)
    bench.rig.fault(one.name, "clear")
    one.send_text(OUTSIDE, "kept report", status_report=True)
    one.read_until(CDS)


@pytest.mark.parametrize(("text", "encoding"), [
    ("Long GSM-7 text with extension chars {}[]~ and more. " * 7, 0x00),
    ("Snowman \u2603 and a smile \U0001F642, UCS-2 all the way. " * 4, 0x08),
])
def test_multipart_between_lines(bench, text, encoding):
    one, two = bench.line(1), bench.line(2)
    one.setup()
    two.setup()
    parts = encode_submit(two.number, text)
    assert len(parts) == 3
    for part in parts:
        assert one.send_pdu(part).endswith(b"\r\nOK\r\n")
    messages = _read_all(two, 3)
    concats = [m.concat for m in messages]
    assert len({c.reference for c in concats}) == 1
    assert {c.total for c in concats} == {3}
    assert sorted(c.sequence for c in concats) == [1, 2, 3]
    ordered = sorted(messages, key=lambda m: m.concat.sequence)
    assert "".join(m.text for m in ordered) == text
    assert {m.user_data.data_coding for m in messages} == {encoding}
    assert all(m.originator.number == one.number for m in messages)


def test_delivery_delay(bench):
    one, two = bench.line(1), bench.line(2)
    one.setup()
    two.setup()
    bench.rig.set_delays(delivery=0.3)
    one.send_text(two.number, "later")
    sent_at = time.monotonic()
    two.read_until(CMTI)
    assert time.monotonic() - sent_at >= 0.25


def test_submit_delay_slows_the_cmgs_answer(bench):
    one = bench.line(1)
    one.setup()
    bench.rig.set_delays(submit=0.3)
    (part,) = encode_submit(OUTSIDE, "slow network")
    one.write(f"AT+CMGS={part.tpdu_length}\r".encode())
    one.expect(b"\r\n> ")
    one.write(part.pdu.encode() + b"\x1a")
    started = time.monotonic()
    one.expect(b"\r\n+CMGS: 1\r\n\r\nOK\r\n")
    assert time.monotonic() - started >= 0.25
