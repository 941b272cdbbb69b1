"""Control injection: inbound text (split, shuffled, dropped, gapped), raw PDUs, URCs, bytes."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime

import pytest

from modemd.emulator.rig import NetworkOptions
from modemd.errors import InvalidInputError
from modemd.sms import Deliver, Undecodable, decode_from_sc

from .dte import wait_for

CMT = re.compile(rb"\r\n\+CMT: ,(\d+)\r\n([0-9A-F]+)\r\n")
LONG = "".join(f"part text {n:03d} " for n in range(40))  # 560 GSM-7 chars: 4 parts


def _direct(dte, count: int) -> list[Deliver]:
    out = []
    for _ in range(count):
        message = decode_from_sc(CMT.fullmatch(dte.read_until(CMT)).group(2).decode())
        assert isinstance(message, Deliver)
        out.append(message)
    return out


def test_inject_short_text(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    before = datetime.now(UTC).replace(microsecond=0)
    result = bench.rig.inject(dte.name, "+15551112222", "hi there")
    stamp = datetime.fromisoformat(result.pop("timestamp"))
    assert result == {"parts": 1, "sent": [1], "reference": None}
    assert before <= stamp <= datetime.now(UTC)
    (message,) = _direct(dte, 1)
    assert (message.originator.number, message.text, message.concat) == (
        "+15551112222", "hi there", None)


def test_inject_long_text_is_split_with_concat_udh(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    result = bench.rig.inject(dte.name, "+15551112222", LONG, reference=77)
    assert {k: result[k] for k in ("parts", "sent", "reference")} == {
        "parts": 4, "sent": [1, 2, 3, 4], "reference": 77}
    messages = _direct(dte, 4)
    assert [m.concat.sequence for m in messages] == [1, 2, 3, 4]
    assert {(m.concat.reference, m.concat.total, m.concat.wide) for m in messages} == {
        (77, 4, False)}
    assert all(m.user_data.header == bytes([0, 3, 77, 4, m.concat.sequence]) for m in messages)
    assert "".join(m.text for m in messages) == LONG
    assert all(len(m.text) <= 153 for m in messages)


def test_inject_long_text_with_a_16_bit_reference(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    bench.rig.inject(dte.name, "+15551112222", LONG, wide=True, reference=0x1234)
    messages = _direct(dte, 4)
    assert all(m.user_data.header[:4] == bytes([8, 4, 0x12, 0x34]) for m in messages)
    assert "".join(m.text for m in messages) == LONG


@pytest.mark.parametrize("rig_options", [NetworkOptions(seed=3)])
def test_inject_shuffled(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    result = bench.rig.inject(dte.name, "+15551112222", LONG, shuffle=True)
    assert sorted(result["sent"]) == [1, 2, 3, 4]
    assert result["sent"] != [1, 2, 3, 4]  # seed 3 gives a real shuffle
    messages = _direct(dte, 4)
    assert [m.concat.sequence for m in messages] == result["sent"]
    ordered = sorted(messages, key=lambda m: m.concat.sequence)
    assert "".join(m.text for m in ordered) == LONG


def test_inject_with_a_missing_part(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    result = bench.rig.inject(dte.name, "+15551112222", LONG, drop=2)
    assert result["sent"] == [1, 3, 4]
    messages = _direct(dte, 3)
    assert [m.concat.sequence for m in messages] == [1, 3, 4]
    dte.silent(0.15)
    with pytest.raises(InvalidInputError):
        bench.rig.inject(dte.name, "+15551112222", LONG, drop=5)


def test_inject_with_a_gap_between_parts(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    bench.rig.inject(dte.name, "+15551112222", LONG, gap=0.15)
    times = []
    for _ in range(4):
        dte.read_until(CMT)
        times.append(time.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(g >= 0.1 for g in gaps), gaps


def test_alphanumeric_sender(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    bench.rig.inject(dte.name, "ACME", "Your code is 1234")
    (message,) = _direct(dte, 1)
    assert message.originator.number == "ACME"
    assert message.originator.is_alphanumeric
    assert message.originator.type_of_address == 0xD0
    assert message.text == "Your code is 1234"


def test_short_code_sender(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    bench.rig.inject(dte.name, "12345", "short")
    (message,) = _direct(dte, 1)
    assert (message.originator.number, message.originator.type_of_address) == ("12345", 0x81)


def test_inject_pdu_garbage_reaches_storage_raw(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.inject_pdu(dte.name, "00deadbeef")
    dte.expect(b'\r\n+CMTI: "SM",1\r\n')
    (stored,) = bench.rig.storage(dte.name)["SM"]
    assert stored["pdu"] == "00DEADBEEF"
    assert isinstance(decode_from_sc(stored["pdu"]), Undecodable)
    dte.write(b"AT+CMGL=4\r")
    dte.expect(b"\r\n+CMGL: 1,0,,4\r\n00DEADBEEF\r\n\r\nOK\r\n")
    dte.ok("AT+CMGF=1")
    dte.write(b"AT+CMGR=1\r")  # text mode cannot decode it either: shown raw, never hidden
    dte.expect(b'\r\n+CMGR: "REC READ",,\r\n00DEADBEEF\r\n\r\nOK\r\n')


def test_inject_pdu_direct_route(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    bench.rig.inject_pdu(dte.name, "0001FF")
    dte.expect(b"\r\n+CMT: ,2\r\n0001FF\r\n")


def test_inject_pdu_rejects_non_hex_and_bad_kind(bench):
    dte = bench.line()
    with pytest.raises(InvalidInputError):
        bench.rig.inject_pdu(dte.name, "not hex")
    with pytest.raises(InvalidInputError):
        bench.rig.inject_pdu(dte.name, "00", kind="cell broadcast")


def test_inject_pdu_as_a_report(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,1,0,2,0")
    bench.rig.inject_pdu(dte.name, "0006FF", kind="report")
    dte.expect(b'\r\n+CDSI: "SR",1\r\n')
    assert bench.rig.storage(dte.name)["SR"][0]["pdu"] == "0006FF"


def test_urc_injection(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.urc(dte.name, "+CUSTOM: 1,\"x\"")
    dte.expect(b'\r\n+CUSTOM: 1,"x"\r\n')
    bench.rig.urc(dte.name, "+CMT: ,3", pdu="ABCDEF")
    dte.expect(b"\r\n+CMT: ,3\r\nABCDEF\r\n")


def test_raw_injection_is_exact_including_non_utf8(bench):
    dte = bench.line()
    dte.setup()
    data = bytes(range(256)) + b"\xff\xfe\x80\xc3("
    bench.rig.raw(dte.name, data)
    dte.expect(data)
    dte.silent(0.05)
    entry = [e for e in bench.rig.transcript(dte.name) if e["dir"] == "tx"][-1]
    assert entry["hex"] == data.hex()
    assert entry["text"] == data.decode("latin-1")


def test_raw_between_commands_does_not_disturb_the_modem(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.raw(dte.name, b"\x00\x9b")
    dte.write(b"AT\r")
    dte.expect(b"\x00\x9b\r\nOK\r\n")


def test_transcript_has_times_and_directions(bench):
    dte = bench.line()
    started = time.time()
    dte.write(b"AT\r")
    dte.expect(b"AT\r\r\nOK\r\n")
    wait_for(lambda: len(bench.rig.transcript(dte.name, since=started)) >= 2)
    entries = bench.rig.transcript(dte.name, since=started)
    assert entries[0]["dir"] == "rx" and entries[0]["text"] == "AT\r"
    assert entries[0]["hex"] == b"AT\r".hex()
    assert "".join(e["text"] for e in entries if e["dir"] == "tx") == "AT\r\r\nOK\r\n"
    times = [e["time"] for e in entries]
    assert times == sorted(times) and started <= times[0] <= time.time()
    later = time.time()
    assert bench.rig.transcript(dte.name, since=later) == []


def test_describe(bench):
    dte = bench.line(3, profile="quectel")
    info = dte.describe()
    assert info["name"] == "line3" and info["number"] == "+12015550103"
    assert info["profile"] == "quectel" and info["port"] == "fakemodem://line3"
    assert info["plugged"] is True and info["sim"] == "READY" and info["registration"] == 1
    assert info["storage"] == {"SM": [0, 30], "ME": [0, 255], "SR": [0, 30]}
    assert info["held"] == 0 and info["submitted"] == 0
    assert [line["name"] for line in bench.rig.lines()] == ["line3"]


def test_unknown_fault_and_line_are_refused(bench):
    dte = bench.line()
    with pytest.raises(InvalidInputError):
        bench.rig.fault(dte.name, "meteor")
    with pytest.raises(InvalidInputError):
        bench.rig.fault("line9", "hang")
    with pytest.raises(InvalidInputError):
        bench.rig.fault(dte.name, "cms")  # needs a code
    with pytest.raises(InvalidInputError):
        bench.rig.set_timing(dte.name, urc_mode="sideways")
