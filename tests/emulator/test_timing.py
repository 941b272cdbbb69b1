"""Awkward timing on demand: URC inside a response, after the prompt, coalesced, split PDU."""

from __future__ import annotations

import re

from modemd.sms import encode_submit

from .dte import wait_for


def _stored(bench, dte, count: int = 1) -> None:
    wait_for(lambda: len(bench.rig.storage(dte.name)["SM"]) == count, what="stored")


def _tx(bench, dte) -> list[bytes]:
    return [bytes.fromhex(e["hex"]) for e in bench.rig.transcript(dte.name) if e["dir"] == "tx"]


def test_in_response_puts_the_urc_before_the_ok(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.set_timing(dte.name, urc_mode="in_response")
    bench.rig.inject(dte.name, "+15551112222", "inside")
    _stored(bench, dte)
    dte.silent(0.1)  # held until the next command
    dte.write(b"AT+CSQ\r")
    dte.expect(b'\r\n+CSQ: 20,0\r\n\r\n+CMTI: "SM",1\r\n\r\nOK\r\n')


def test_in_response_urc_goes_out_after_hold_max_without_a_command(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.set_timing(dte.name, urc_mode="in_response", hold_max=0.3)
    bench.rig.inject(dte.name, "+15551112222", "late")
    _stored(bench, dte)
    dte.silent(0.15)
    dte.expect(b'\r\n+CMTI: "SM",1\r\n', timeout=1)


def test_after_prompt_puts_the_urc_right_after_the_prompt(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.set_timing(dte.name, urc_mode="after_prompt")
    bench.rig.inject(dte.name, "+15551112222", "after prompt")
    _stored(bench, dte)
    (part,) = encode_submit("+15557654321", "hello")
    dte.write(f"AT+CMGS={part.tpdu_length}\r".encode())
    dte.expect(b'\r\n> \r\n+CMTI: "SM",1\r\n')
    dte.write(part.pdu.encode() + b"\x1a")
    dte.expect(b"\r\n+CMGS: 1\r\n\r\nOK\r\n")


def test_coalesce_puts_two_urcs_in_one_write(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.set_timing(dte.name, urc_mode="coalesce")
    bench.rig.inject(dte.name, "+15551112222", "one")
    bench.rig.inject(dte.name, "+15551112222", "two")
    both = b'\r\n+CMTI: "SM",1\r\n\r\n+CMTI: "SM",2\r\n'
    dte.expect(both)
    writes = [w for w in _tx(bench, dte) if b"+CMTI" in w]
    assert writes == [both]


def test_coalesce_with_a_registration_urc(bench):
    dte = bench.line()
    dte.setup("AT+CREG=1")
    bench.rig.set_timing(dte.name, urc_mode="coalesce")
    bench.rig.fault(dte.name, "no-network")
    bench.rig.urc(dte.name, "+EXTRA: 1")
    dte.expect(b"\r\n+CREG: 2\r\n\r\n+EXTRA: 1\r\n")
    assert b"\r\n+CREG: 2\r\n\r\n+EXTRA: 1\r\n" in _tx(bench, dte)


def test_immediate_urcs_are_separate_writes(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.urc(dte.name, "+A: 1")
    bench.rig.urc(dte.name, "+B: 2")
    dte.expect(b"\r\n+A: 1\r\n\r\n+B: 2\r\n")
    writes = _tx(bench, dte)
    assert writes[-2:] == [b"\r\n+A: 1\r\n", b"\r\n+B: 2\r\n"]


def test_split_pdu_writes_cmt_header_and_pdu_separately(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    bench.rig.set_timing(dte.name, split_pdu=True)
    bench.rig.inject(dte.name, "+15551112222", "split")
    urc = dte.read_until(re.compile(rb"\r\n\+CMT: ,\d+\r\n[0-9A-F]+\r\n"))
    header, pdu = urc[2:].split(b"\r\n")[:2]
    writes = [w for w in _tx(bench, dte) if b"+CMT" in w or pdu in w]
    assert writes == [b"\r\n" + header + b"\r\n", pdu + b"\r\n"]


def test_split_pdu_holds_other_output_between_header_and_pdu(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    bench.rig.set_timing(dte.name, split_pdu=True)
    bench.rig.inject(dte.name, "+15551112222", "split")
    dte.read_until(b"+CMT: ")
    bench.rig.urc(dte.name, "+OTHER: 1")  # must not land between header and PDU
    data = dte.read_until(b"+OTHER: 1\r\n")
    assert re.fullmatch(rb",\d+\r\n[0-9A-F]+\r\n\r\n\+OTHER: 1\r\n", data), data


def test_split_pdu_applies_to_cds(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,1,0,1,0")
    bench.rig.set_timing(dte.name, split_pdu=True)
    dte.send_text("+15557654321", "report", status_report=True)
    urc = dte.read_until(re.compile(rb"\r\n\+CDS: [^\r]+\r\n[0-9A-F]+\r\n"))
    header, pdu = urc[2:].split(b"\r\n")[:2]
    writes = [w for w in _tx(bench, dte) if b"+CDS" in w or pdu in w]
    assert writes == [b"\r\n" + header + b"\r\n", pdu + b"\r\n"]


def test_set_timing_reports_the_settings(bench):
    dte = bench.line()
    timing = bench.rig.set_timing(dte.name, urc_mode="coalesce", split_pdu=True, hold_max=2.0)
    assert timing["urc_mode"] == "coalesce" and timing["split_pdu"] is True
    assert timing["hold_max"] == 2.0
