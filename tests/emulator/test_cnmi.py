"""+CNMI routing: +CMTI, +CMT (+CNMA with CSMS=1), mode 0 buffering, +CDS, +CDSI."""

from __future__ import annotations

import re

from modemd.sms import StatusReport, decode_from_sc

from .dte import wait_for

SENDER = "+15551112222"
OUTSIDE = "+15557654321"
CMT = re.compile(rb"\r\n\+CMT: ,(\d+)\r\n([0-9A-F]+)\r\n")


def test_mt_1_stores_and_notifies(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,1,0,0,0")
    bench.rig.inject(dte.name, SENDER, "stored")
    dte.expect(b'\r\n+CMTI: "SM",1\r\n')
    assert len(bench.rig.storage(dte.name)["SM"]) == 1


def test_mt_2_routes_directly_as_cmt(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    bench.rig.inject(dte.name, SENDER, "direct")
    urc = dte.read_until(CMT)
    dte.silent(0.1)
    length, pdu = CMT.fullmatch(urc).groups()
    assert int(length) == len(pdu) // 2 - 1 - int(pdu[:2], 16)
    message = decode_from_sc(pdu.decode())
    assert (message.originator.number, message.text) == (SENDER, "direct")
    assert bench.rig.storage(dte.name)["SM"] == []  # direct delivery is not stored


def test_mt_2_byte_exact_against_the_codec(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    bench.rig.inject(dte.name, SENDER, "exact")
    urc = dte.read_until(CMT)
    pdu = CMT.fullmatch(urc).group(2).decode()
    tpdu = len(pdu) // 2 - 1 - int(pdu[:2], 16)
    assert urc == f"\r\n+CMT: ,{tpdu}\r\n{pdu}\r\n".encode()


def test_csms_1_makes_the_next_cmt_wait_for_cnma(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    dte.write(b"AT+CSMS=1\r")
    dte.expect(b"\r\n+CSMS: 1,1,1\r\n\r\nOK\r\n")
    bench.rig.inject(dte.name, SENDER, "first")
    bench.rig.inject(dte.name, SENDER, "second")
    first = dte.read_until(CMT)
    wait_for(lambda: dte.describe()["held"] == 1, what="the second +CMT held")
    dte.silent(0.15)  # not acknowledged: nothing more
    dte.write(b"AT+CNMA\r")
    dte.expect(b"\r\nOK\r\n")
    second = dte.read_until(CMT)
    dte.write(b"AT+CNMA\r")
    dte.expect(b"\r\nOK\r\n")
    texts = [decode_from_sc(CMT.fullmatch(u).group(2).decode()).text for u in (first, second)]
    assert texts == ["first", "second"]
    dte.write(b"AT+CNMA\r")  # nothing pending
    dte.expect(b"\r\n+CMS ERROR: 340\r\n")
    assert dte.describe()["held"] == 0


def test_cnma_without_pending_message_is_340(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CNMA\r")
    dte.expect(b"\r\n+CMS ERROR: 340\r\n")


def test_csms_read_and_test(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CSMS?\r")
    dte.expect(b"\r\n+CSMS: 0,1,1,1\r\n\r\nOK\r\n")
    dte.write(b"AT+CSMS=?\r")
    dte.expect(b"\r\n+CSMS: (0,1)\r\n\r\nOK\r\n")
    dte.write(b"AT+CSMS=2\r")
    dte.expect(b"\r\n+CMS ERROR: 302\r\n")


def test_mt_0_stores_silently(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,0,0,0,0")
    bench.rig.inject(dte.name, SENDER, "quiet")
    wait_for(lambda: bench.rig.storage(dte.name)["SM"], what="the message stored")
    dte.silent(0.15)


def test_mode_0_buffers_sms_urcs_until_mode_2(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=0,1,0,0,0")
    bench.rig.inject(dte.name, SENDER, "one")
    bench.rig.inject(dte.name, SENDER, "two")
    wait_for(lambda: len(bench.rig.storage(dte.name)["SM"]) == 2)
    dte.silent(0.15)
    answer = dte.command("AT+CNMI=2,1,0,0,0") + dte.read_for(0.1)
    urcs = b'\r\n+CMTI: "SM",1\r\n\r\n+CMTI: "SM",2\r\n'
    assert sorted([answer.replace(urcs, b""), urcs]) == sorted([b"\r\nOK\r\n", urcs]), answer


def test_mode_0_buffer_is_flushed_after_the_ok(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=0,1,0,0,0")
    bench.rig.inject(dte.name, SENDER, "one")
    wait_for(lambda: bench.rig.storage(dte.name)["SM"])
    dte.write(b"AT+CNMI=2,1,0,0,0\r")
    dte.expect(b'\r\nOK\r\n\r\n+CMTI: "SM",1\r\n')


def test_mode_0_buffer_discarded_with_bfr_1(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=0,1,0,0,0")
    bench.rig.inject(dte.name, SENDER, "one")
    wait_for(lambda: bench.rig.storage(dte.name)["SM"])
    dte.write(b"AT+CNMI=2,1,0,0,1\r")
    dte.expect(b"\r\nOK\r\n")
    dte.silent(0.15)
    assert len(bench.rig.storage(dte.name)["SM"]) == 1  # the message itself is kept


def test_mode_0_buffers_only_sms_urcs(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=0,1,0,0,0", "AT+CREG=1")
    bench.rig.fault(dte.name, "no-network")
    dte.expect(b"\r\n+CREG: 2\r\n")


def test_cnmi_rejects_out_of_range(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CNMI=2,1,0,3,0\r")
    dte.expect(b"\r\n+CMS ERROR: 303\r\n")
    dte.write(b"AT+CNMI=?\r")
    dte.expect(b"\r\n+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)\r\n\r\nOK\r\n")


def _send_with_report(dte) -> int:
    (mr,) = dte.send_text(OUTSIDE, "report this", status_report=True)
    return mr


CDS = re.compile(rb"\r\n\+CDS: ,?(\d+)\r\n([0-9A-F]+)\r\n")


def test_ds_1_routes_reports_as_cds_with_a_pdu_line(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,1,0,1,0")
    mr = _send_with_report(dte)
    urc = dte.read_until(CDS)
    length, pdu = CDS.fullmatch(urc).groups()
    assert int(length) == len(pdu) // 2 - 1 - int(pdu[:2], 16)
    report = decode_from_sc(pdu.decode())
    assert isinstance(report, StatusReport)
    assert (report.message_reference, report.recipient.number, report.status) == (mr, OUTSIDE, 0)
    assert bench.rig.storage(dte.name)["SR"] == []


def test_ds_1_cds_header_has_no_alpha_field(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,1,0,1,0")
    _send_with_report(dte)
    urc = dte.read_until(CDS)
    assert re.fullmatch(rb"\r\n\+CDS: \d+\r\n[0-9A-F]+\r\n", urc), urc


def test_ds_2_stores_reports_and_says_cdsi(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,1,0,2,0")
    mr = _send_with_report(dte)
    dte.expect(b'\r\n+CDSI: "SR",1\r\n')
    (stored,) = bench.rig.storage(dte.name)["SR"]
    assert stored["report"] is True
    dte.ok('AT+CPMS="SR"')
    answer = dte.command("AT+CMGR=1")
    match = re.fullmatch(rb"\r\n\+CMGR: 0,,(\d+)\r\n([0-9A-F]+)\r\n\r\nOK\r\n", answer)
    assert match, answer
    assert match.group(2).decode() == stored["pdu"]
    assert decode_from_sc(stored["pdu"]).message_reference == mr


def test_ds_2_without_sr_memory_stores_in_mem3(bench):
    dte = bench.line(profile="sierra")
    dte.setup("AT+CNMI=2,1,0,2,0")
    _send_with_report(dte)
    dte.expect(b'\r\n+CDSI: "SM",1\r\n')


def test_ds_0_sends_no_report(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,1,0,0,0")
    _send_with_report(dte)
    wait_for(bench.rig.outside, what="the message to leave")
    dte.silent(0.15)
    assert bench.rig.storage(dte.name)["SR"] == []


def test_text_mode_cmt_and_cds(bench):
    dte = bench.line()
    dte.setup("AT+CMGF=1", "AT+CNMI=2,2,0,1,0")
    bench.rig.inject(dte.name, SENDER, "text mode")
    urc = dte.read_until(b"text mode\r\n")
    assert re.fullmatch(rb'\r\n\+CMT: "\+15551112222",,"[^"]+"\r\ntext mode\r\n', urc), urc
    dte.write(b'AT+CMGS="+15557654321"\r')
    dte.expect(b"\r\n> ")
    dte.write(b"hi\x1a")
    dte.expect(b"\r\n+CMGS: 1\r\n\r\nOK\r\n")
    assert bench.rig.submitted(dte.name)[0]["srr"] is False  # CSMP fo 17: no report asked
    dte.ok("AT+CSMP=49,167,0,0")
    dte.write(b'AT+CMGS="+15557654321"\r')
    dte.expect(b"\r\n> ")
    dte.write(b"hi\x1a")
    dte.expect(b"\r\n+CMGS: 2\r\n\r\nOK\r\n")
    urc = dte.read_until(re.compile(rb"\+CDS: [^\r]*\r\n"))
    assert re.fullmatch(rb'\r\n\+CDS: 6,2,"\+15557654321",145,"[^"]+","[^"]+",0\r\n', urc), urc
