"""Sending: the > prompt, Ctrl-Z, ESC, length checks, MR assignment, text mode, CMGW/CMSS."""

from __future__ import annotations

from datetime import UTC, datetime

from modemd.sms import decode_from_ms, deliver_user_data, encode_deliver, encode_submit

from .dte import CTRL_Z, ESC, wait_for

OUTSIDE = "+15557654321"


def _part(text: str = "hello", to: str = OUTSIDE, **options):
    (part,) = encode_submit(to, text, **options)
    return part


def test_prompt_and_ctrl_z_submit_byte_exact(bench):
    dte = bench.line()
    part = _part()
    dte.write(f"AT+CMGS={part.tpdu_length}\r".encode())
    dte.expect(f"AT+CMGS={part.tpdu_length}\r\r\n> ".encode())
    dte.silent(0.1)  # the prompt waits: no OK, nothing else
    dte.write(part.pdu.encode() + CTRL_Z)
    dte.expect(part.pdu.encode() + b"\r\n+CMGS: 1\r\n\r\nOK\r\n")  # the PDU is echoed
    (record,) = bench.rig.submitted(dte.name)
    assert record["to"] == OUTSIDE and record["text"] == "hello" and record["mr"] == 1


def test_prompt_without_echo(bench):
    dte = bench.line()
    dte.setup()
    part = _part()
    dte.write(f"AT+CMGS={part.tpdu_length}\r".encode())
    dte.expect(b"\r\n> ")
    dte.write(part.pdu.encode() + CTRL_Z)
    dte.expect(b"\r\n+CMGS: 1\r\n\r\nOK\r\n")


def test_pdu_may_come_in_pieces_with_backspace(bench):
    dte = bench.line()
    dte.setup()
    part = _part()
    dte.write(f"AT+CMGS={part.tpdu_length}\r".encode())
    dte.expect(b"\r\n> ")
    half = len(part.pdu) // 2
    dte.write(part.pdu[:half].encode())
    dte.write(b"X\x08")
    dte.silent(0.05)
    dte.write(part.pdu[half:].encode())
    dte.write(CTRL_Z)
    dte.expect(b"\r\n+CMGS: 1\r\n\r\nOK\r\n")
    assert bench.rig.submitted(dte.name)[0]["pdu"] == part.pdu


def test_esc_cancels_with_ok_on_generic(bench):
    dte = bench.line()
    dte.setup()
    part = _part()
    dte.write(f"AT+CMGS={part.tpdu_length}\r".encode())
    dte.expect(b"\r\n> ")
    dte.write(part.pdu[:10].encode() + ESC)
    dte.expect(b"\r\nOK\r\n")
    dte.silent(0.1)
    assert bench.rig.submitted(dte.name) == []
    dte.write(b"AT\r")  # back in command mode
    dte.expect(b"\r\nOK\r\n")


def test_esc_cancels_silently_on_huawei(bench):
    dte = bench.line(profile="huawei")
    dte.setup()
    dte.read_for(0.05)
    part = _part()
    dte.write(f"AT+CMGS={part.tpdu_length}\r".encode())
    dte.expect(b"\r\r\n> ")
    dte.write(part.pdu[:10].encode() + ESC)
    dte.silent(0.15)
    assert bench.rig.submitted(dte.name) == []
    dte.write(b"AT\r")
    dte.expect(b"\r\r\nOK\r\r\n")


def test_length_mismatch_is_304(bench):
    dte = bench.line()
    dte.setup()
    part = _part()
    for wrong in (part.tpdu_length - 1, part.tpdu_length + 1):
        dte.write(f"AT+CMGS={wrong}\r".encode())
        dte.expect(b"\r\n> ")
        dte.write(part.pdu.encode() + CTRL_Z)
        dte.expect(b"\r\n+CMS ERROR: 304\r\n")
    assert bench.rig.submitted(dte.name) == []


def test_garbage_hex_is_304(bench):
    dte = bench.line()
    dte.setup()
    for garbage in (b"ZZ11GG", b"0011A", b"", b"00" + b"FF" * 4):
        dte.write(b"AT+CMGS=4\r")
        dte.expect(b"\r\n> ")
        dte.write(garbage + CTRL_Z)
        dte.expect(b"\r\n+CMS ERROR: 304\r\n")
    assert bench.rig.submitted(dte.name) == []


def test_a_deliver_pdu_is_not_a_submit(bench):
    dte = bench.line()
    dte.setup()
    deliver = encode_deliver("+15551112222", deliver_user_data("hi")[0],
                             timestamp=datetime(2024, 1, 1, tzinfo=UTC))
    dte.write(f"AT+CMGS={deliver.tpdu_length}\r".encode())
    dte.expect(b"\r\n> ")
    dte.write(deliver.pdu.encode() + CTRL_Z)
    dte.expect(b"\r\n+CMS ERROR: 304\r\n")


def test_announced_length_out_of_range_is_304(bench):
    dte = bench.line()
    dte.setup()
    for command in (b"AT+CMGS=0\r", b"AT+CMGS=176\r", b"AT+CMGS\r"):
        dte.write(command)
        dte.expect(b"\r\n+CMS ERROR: 304\r\n")


def test_mr_increments_per_send(bench):
    dte = bench.line()
    dte.setup()
    answers = [dte.send_pdu(_part(f"n{i}")) for i in range(3)]
    assert answers == [f"\r\n+CMGS: {mr}\r\n\r\nOK\r\n".encode() for mr in (1, 2, 3)]
    assert [r["mr"] for r in bench.rig.submitted(dte.name)] == [1, 2, 3]


def test_mr_wraps_from_255_to_0(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.network.modem(dte.name).last_mr = 254
    answers = [dte.send_pdu(_part(f"n{i}")) for i in range(3)]
    assert answers == [f"\r\n+CMGS: {mr}\r\n\r\nOK\r\n".encode() for mr in (255, 0, 1)]


def test_mr_is_per_sim(bench):
    one, two = bench.line(1), bench.line(2)
    one.setup()
    two.setup()
    assert one.send_pdu(_part()) == b"\r\n+CMGS: 1\r\n\r\nOK\r\n"
    assert one.send_pdu(_part()) == b"\r\n+CMGS: 2\r\n\r\nOK\r\n"
    assert two.send_pdu(_part()) == b"\r\n+CMGS: 1\r\n\r\nOK\r\n"


def test_text_mode_send(bench):
    dte = bench.line()
    dte.setup("AT+CMGF=1")
    dte.write(b'AT+CMGS="+15557654321"\r')
    dte.expect(b"\r\n> ")
    dte.write(b"hello text" + CTRL_Z)
    dte.expect(b"\r\n+CMGS: 1\r\n\r\nOK\r\n")
    (record,) = bench.rig.submitted(dte.name)
    assert (record["to"], record["text"], record["mr"]) == (OUTSIDE, "hello text", 1)
    wait_for(bench.rig.outside, what="the message to leave the network")
    assert bench.rig.outside()[-1]["text"] == "hello text"


def test_text_mode_send_with_echo_and_a_second_line(bench):
    dte = bench.line()
    dte.ok("AT+CMGF=1")
    dte.write(b'AT+CMGS="+15557654321"\r')
    dte.expect(b'AT+CMGS="+15557654321"\r\r\n> ')
    dte.write(b"line one\r")
    dte.expect(b"line one\r\r\n> ")  # every CR in text gives a new prompt
    dte.write(b"line two" + CTRL_Z)
    dte.expect(b"line two\r\n+CMGS: 1\r\n\r\nOK\r\n")
    assert bench.rig.submitted(dte.name)[0]["text"] == "line one\nline two"


def test_text_mode_esc_cancels(bench):
    dte = bench.line()
    dte.setup("AT+CMGF=1")
    dte.write(b'AT+CMGS="+15557654321"\r')
    dte.expect(b"\r\n> ")
    dte.write(b"never mind" + ESC)
    dte.expect(b"\r\nOK\r\n")
    assert bench.rig.submitted(dte.name) == []


def test_text_mode_status_report_follows_csmp(bench):
    dte = bench.line()
    dte.setup("AT+CMGF=1", "AT+CSMP=49,167,0,0")
    dte.write(b'AT+CMGS="+15557654321"\r')
    dte.expect(b"\r\n> ")
    dte.write(b"report me" + CTRL_Z)
    dte.expect(b"\r\n+CMGS: 1\r\n\r\nOK\r\n")
    assert bench.rig.submitted(dte.name)[0]["srr"] is True
    dte.write(b"AT+CSMP?\r")
    dte.expect(b"\r\n+CSMP: 49,167,0,0\r\n\r\nOK\r\n")


def test_cmgw_then_cmss(bench):
    dte = bench.line()
    dte.setup()
    part = _part("stored first")
    dte.write(f"AT+CMGW={part.tpdu_length},2\r".encode())
    dte.expect(b"\r\n> ")
    dte.write(part.pdu.encode() + CTRL_Z)
    dte.expect(b"\r\n+CMGW: 1\r\n\r\nOK\r\n")
    assert bench.rig.submitted(dte.name) == []
    assert bench.rig.storage(dte.name)["SM"] == [
        {"index": 1, "stat": 2, "pdu": part.pdu, "report": False}]
    dte.write(b"AT+CMSS=1\r")
    dte.expect(b"\r\n+CMSS: 1\r\n\r\nOK\r\n")
    assert bench.rig.storage(dte.name)["SM"][0]["stat"] == 3  # STO SENT now
    dte.write(b'AT+CMSS=1,"+15550001111"\r')
    dte.expect(b"\r\n+CMSS: 2\r\n\r\nOK\r\n")
    first, second = bench.rig.submitted(dte.name)
    assert (first["to"], first["text"]) == (OUTSIDE, "stored first")
    assert (second["to"], second["text"]) == ("+15550001111", "stored first")
    wait_for(lambda: len(bench.rig.outside()) == 2, what="both messages to leave")
    assert [m["to"] for m in bench.rig.outside()] == [OUTSIDE, "+15550001111"]


def test_cmss_of_an_empty_index_is_321(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CMSS=5\r")
    dte.expect(b"\r\n+CMS ERROR: 321\r\n")


def test_cmgw_length_mismatch_is_304(bench):
    dte = bench.line()
    dte.setup()
    part = _part()
    dte.write(f"AT+CMGW={part.tpdu_length + 2},2\r".encode())
    dte.expect(b"\r\n> ")
    dte.write(part.pdu.encode() + CTRL_Z)
    dte.expect(b"\r\n+CMS ERROR: 304\r\n")
    assert bench.rig.storage(dte.name)["SM"] == []


def test_submitted_records_decoded_fields(bench):
    dte = bench.line()
    dte.setup()
    parts = encode_submit(OUTSIDE, "x" * 200, reference=0x42, status_report=True)
    for part in parts:
        dte.send_pdu(part)
    records = bench.rig.submitted(dte.name)
    assert [r["mr"] for r in records] == [1, 2]
    assert [r["udh"] for r in records] == ["0003420201", "0003420202"]
    assert all(r["srr"] and r["to"] == OUTSIDE for r in records)
    assert "".join(r["text"] for r in records) == "x" * 200
    assert records[0]["concat"] == {"reference": 0x42, "total": 2, "sequence": 1, "wide": False}
    assert records[0]["pdu"] == parts[0].pdu
    assert decode_from_ms(records[1]["pdu"]).text == records[1]["text"]
    plain = _part("no report", status_report=False)
    dte.send_pdu(plain)
    last = bench.rig.submitted(dte.name)[-1]
    assert last["srr"] is False and last["udh"] == "" and last["concat"] is None
    assert isinstance(last["time"], float)


def test_service_centre_read_and_set(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CSCA?\r")
    dte.expect(b'\r\n+CSCA: "+15550000000",145\r\n\r\nOK\r\n')
    dte.ok('AT+CSCA="5550001"')
    dte.write(b"AT+CSCA?\r")
    dte.expect(b'\r\n+CSCA: "5550001",129\r\n\r\nOK\r\n')


def test_character_set_read_test_and_set(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CSCS?\r")
    dte.expect(b'\r\n+CSCS: "IRA"\r\n\r\nOK\r\n')
    dte.write(b"AT+CSCS=?\r")
    dte.expect(b'\r\n+CSCS: ("GSM","IRA","UCS2","HEX","8859-1")\r\n\r\nOK\r\n')
    dte.ok('AT+CSCS="UCS2"')
    dte.write(b'AT+CSCS="EBCDIC"\r')
    dte.expect(b"\r\n+CME ERROR: 4\r\n")


def test_text_mode_send_in_ucs2(bench):
    dte = bench.line()
    dte.setup("AT+CMGF=1", 'AT+CSCS="UCS2"')
    number = OUTSIDE.encode("utf-16-be").hex().upper()
    dte.write(f'AT+CMGS="{number}"\r'.encode())
    dte.expect(b"\r\n> ")
    dte.write("Grüße ✓".encode("utf-16-be").hex().upper().encode() + CTRL_Z)
    dte.expect(b"\r\n+CMGS: 1\r\n\r\nOK\r\n")
    record = bench.rig.submitted(dte.name)[0]
    assert (record["to"], record["text"], record["encoding"]) == (OUTSIDE, "Grüße ✓", "ucs2")
