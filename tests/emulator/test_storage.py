"""Message storage: +CPMS, +CMGL, +CMGR, +CMGD with every flag, text-mode listing."""

from __future__ import annotations

import re

import pytest

from modemd.sms import decode_from_sc, encode_submit

from .dte import CTRL_Z

SENDER = "+15551112222"
CMTI = re.compile(rb'\r\n\+CMTI: "SM",(\d+)\r\n')


def receive(bench, dte, text: str, sender: str = SENDER) -> int:
    """Inject a message and return the index its +CMTI names."""
    bench.rig.inject(dte.name, sender, text)
    urc = dte.read_until(CMTI)
    return int(CMTI.search(urc).group(1))


def write(dte, text: str, stat: int) -> int:
    (part,) = encode_submit("+15557654321", text)
    dte.write(f"AT+CMGW={part.tpdu_length},{stat}\r".encode())
    dte.expect(b"\r\n> ")
    dte.write(part.pdu.encode() + CTRL_Z)
    answer = dte.read_until(b"OK\r\n")
    return int(re.search(rb"\+CMGW: (\d+)", answer).group(1))


def indexes(bench, dte, memory: str = "SM") -> dict[int, int]:
    return {m["index"]: m["stat"] for m in bench.rig.storage(dte.name)[memory]}


def test_cpms_read(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CPMS?\r")
    dte.expect(b'\r\n+CPMS: "SM",0,30,"SM",0,30,"SM",0,30\r\n\r\nOK\r\n')
    receive(bench, dte, "one")
    dte.write(b"AT+CPMS?\r")
    dte.expect(b'\r\n+CPMS: "SM",1,30,"SM",1,30,"SM",1,30\r\n\r\nOK\r\n')


def test_cpms_test(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CPMS=?\r")
    dte.expect(b'\r\n+CPMS: ("SM","ME","SR"),("SM","ME"),("SM","ME")\r\n\r\nOK\r\n')


def test_cpms_test_on_a_profile_without_sr(bench):
    dte = bench.line(profile="sierra")
    dte.setup()
    dte.write(b"AT+CPMS=?\r")
    dte.expect(b'\r\n+CPMS: ("SM","ME"),("SM","ME"),("SM","ME")\r\n\r\nOK\r\n')


def test_cpms_set(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b'AT+CPMS="ME","ME","ME"\r')
    dte.expect(b"\r\n+CPMS: 0,100,0,100,0,100\r\n\r\nOK\r\n")
    dte.write(b'AT+CPMS="SR"\r')  # mem1 only: the others stay
    dte.expect(b"\r\n+CPMS: 0,20,0,100,0,100\r\n\r\nOK\r\n")
    dte.write(b"AT+CPMS?\r")
    dte.expect(b'\r\n+CPMS: "SR",0,20,"ME",0,100,"ME",0,100\r\n\r\nOK\r\n')


@pytest.mark.parametrize("command", [b'AT+CPMS="SM","SR"', b'AT+CPMS="SM","SM","SR"',
                                     b'AT+CPMS="XX"'])
def test_cpms_sr_only_as_mem1(bench, command):
    dte = bench.line()
    dte.setup()
    dte.write(command + b"\r")
    dte.expect(b"\r\n+CMS ERROR: 302\r\n")
    dte.write(b"AT+CPMS?\r")
    dte.expect(b'\r\n+CPMS: "SM",0,30,"SM",0,30,"SM",0,30\r\n\r\nOK\r\n')


def test_inbound_goes_to_mem3(bench):
    dte = bench.line()
    dte.setup('AT+CPMS="SM","SM","ME"')
    bench.rig.inject(dte.name, SENDER, "to ME")
    dte.expect(b'\r\n+CMTI: "ME",1\r\n')
    assert len(bench.rig.storage(dte.name)["ME"]) == 1


def test_cmgl_4_lists_all_and_0_only_unread(bench):
    dte = bench.line()
    dte.setup()
    receive(bench, dte, "first")
    receive(bench, dte, "second")
    stored = {m["index"]: m for m in bench.rig.storage(dte.name)["SM"]}
    lengths = {i: (len(m["pdu"]) // 2 - 1 - int(m["pdu"][:2], 16)) for i, m in stored.items()}
    dte.write(b"AT+CMGL=0\r")
    dte.expect(
        f"\r\n+CMGL: 1,0,,{lengths[1]}\r\n{stored[1]['pdu']}\r\n"
        f"+CMGL: 2,0,,{lengths[2]}\r\n{stored[2]['pdu']}\r\n\r\nOK\r\n".encode())
    dte.write(b"AT+CMGL=0\r")  # listing read them
    dte.expect(b"\r\nOK\r\n")
    dte.write(b"AT+CMGL=4\r")
    dte.expect(
        f"\r\n+CMGL: 1,1,,{lengths[1]}\r\n{stored[1]['pdu']}\r\n"
        f"+CMGL: 2,1,,{lengths[2]}\r\n{stored[2]['pdu']}\r\n\r\nOK\r\n".encode())
    assert decode_from_sc(stored[2]["pdu"]).text == "second"


def test_cmgl_filters_by_stat(bench):
    dte = bench.line()
    dte.setup()
    receive(bench, dte, "inbound")
    write(dte, "unsent", 2)
    write(dte, "sent", 3)
    for stat, index in ((2, 2), (3, 3)):
        answer = dte.command(f"AT+CMGL={stat}")
        assert answer.startswith(f"\r\n+CMGL: {index},{stat},,".encode()), answer
        assert answer.count(b"+CMGL:") == 1
    dte.write(b"AT+CMGL=1\r")
    dte.expect(b"\r\nOK\r\n")
    dte.write(b"AT+CMGL=5\r")
    dte.expect(b"\r\n+CMS ERROR: 302\r\n")
    dte.write(b"AT+CMGL=?\r")
    dte.expect(b"\r\n+CMGL: (0-4)\r\n\r\nOK\r\n")


def test_cmgr_reads_and_marks_read(bench):
    dte = bench.line()
    dte.setup()
    index = receive(bench, dte, "read me")
    (stored,) = bench.rig.storage(dte.name)["SM"]
    length = len(stored["pdu"]) // 2 - 1 - int(stored["pdu"][:2], 16)
    dte.write(f"AT+CMGR={index}\r".encode())
    dte.expect(f"\r\n+CMGR: 0,,{length}\r\n{stored['pdu']}\r\n\r\nOK\r\n".encode())
    dte.write(f"AT+CMGR={index}\r".encode())
    dte.expect(f"\r\n+CMGR: 1,,{length}\r\n{stored['pdu']}\r\n\r\nOK\r\n".encode())
    message = decode_from_sc(stored["pdu"])
    assert message.text == "read me" and message.originator.number == SENDER


def test_cmgr_of_an_empty_index_is_321_on_generic(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CMGR=3\r")
    dte.expect(b"\r\n+CMS ERROR: 321\r\n")


def test_cmgr_of_an_empty_index_is_ok_on_simcom(bench):
    dte = bench.line(profile="simcom")
    dte.read_until(b"SMS Ready\r\n")
    dte.setup()
    dte.write(b"AT+CMGR=3\r")
    dte.expect(b"\r\nOK\r\n")
    dte.write(b"AT+CMGR=21\r")  # beyond the SIM's 20 slots: still an error
    dte.expect(b"\r\n+CMS ERROR: 321\r\n")


def _fill(bench, dte) -> None:
    """1 REC UNREAD, 2 REC READ, 3 STO UNSENT, 4 STO SENT."""
    assert receive(bench, dte, "unread") == 1
    assert receive(bench, dte, "read") == 2
    dte.command("AT+CMGR=2")
    assert write(dte, "unsent", 2) == 3
    assert write(dte, "sent", 3) == 4
    assert indexes(bench, dte) == {1: 0, 2: 1, 3: 2, 4: 3}


@pytest.mark.parametrize(("command", "left"), [
    ("AT+CMGD=3", {1: 0, 2: 1, 4: 3}),
    ("AT+CMGD=3,0", {1: 0, 2: 1, 4: 3}),
    ("AT+CMGD=1,1", {1: 0, 3: 2, 4: 3}),
    ("AT+CMGD=1,2", {1: 0, 3: 2}),
    ("AT+CMGD=1,3", {1: 0}),
    ("AT+CMGD=1,4", {}),
])
def test_cmgd_every_flag(bench, command, left):
    dte = bench.line()
    dte.setup()
    _fill(bench, dte)
    dte.write(command.encode() + b"\r")
    dte.expect(b"\r\nOK\r\n")
    assert indexes(bench, dte) == left
    dte.write(b"AT+CPMS?\r")
    used = len(left)
    dte.expect(f'\r\n+CPMS: "SM",{used},30,"SM",{used},30,"SM",{used},30\r\n\r\nOK\r\n'.encode())


def test_cmgd_errors_and_test_form(bench):
    dte = bench.line()
    dte.setup()
    receive(bench, dte, "a")
    receive(bench, dte, "b")
    dte.write(b"AT+CMGD=?\r")
    dte.expect(b"\r\n+CMGD: (1,2),(0-4)\r\n\r\nOK\r\n")
    dte.write(b"AT+CMGD=31\r")
    dte.expect(b"\r\n+CMS ERROR: 321\r\n")
    dte.write(b"AT+CMGD=1,5\r")
    dte.expect(b"\r\n+CMS ERROR: 302\r\n")
    dte.write(b"AT+CMGD=7\r")  # an empty slot: nothing to do
    dte.expect(b"\r\nOK\r\n")
    assert set(indexes(bench, dte)) == {1, 2}


def test_index_is_reused_lowest_first(bench):
    dte = bench.line()
    dte.setup()
    for expected in (1, 2, 3):
        assert receive(bench, dte, f"m{expected}") == expected
    dte.ok("AT+CMGD=2")
    assert receive(bench, dte, "again") == 2


SCTS = rb'"\d\d/\d\d/\d\d,\d\d:\d\d:\d\d[+-]\d\d"'


def test_text_mode_cmgl_all(bench):
    dte = bench.line()
    dte.setup()
    receive(bench, dte, "hello inbound")
    write(dte, "hello outbound", 2)
    dte.ok("AT+CMGF=1")
    answer = dte.command('AT+CMGL="ALL"')
    pattern = (rb'\r\n\+CMGL: 1,"REC UNREAD","\+15551112222",,' + SCTS + rb"\r\n"
               rb"hello inbound\r\n"
               rb'\+CMGL: 2,"STO UNSENT","\+15557654321",\r\n'
               rb"hello outbound\r\n\r\nOK\r\n")
    assert re.fullmatch(pattern, answer), answer
    answer = dte.command('AT+CMGL="REC UNREAD"')
    assert answer == b"\r\nOK\r\n"
    answer = dte.command('AT+CMGL="REC READ"')
    assert answer.startswith(b'\r\n+CMGL: 1,"REC READ","+15551112222",,')
    dte.write(b"AT+CMGL=?\r")
    dte.expect(b'\r\n+CMGL: ("REC UNREAD","REC READ","STO UNSENT","STO SENT","ALL")\r\n'
               b"\r\nOK\r\n")
    dte.write(b'AT+CMGL="NONSENSE"\r')
    dte.expect(b"\r\n+CMS ERROR: 302\r\n")


def test_text_mode_cmgr_with_csdh(bench):
    dte = bench.line()
    dte.setup()
    receive(bench, dte, "header please")
    dte.ok("AT+CMGF=1;+CSDH=1")
    answer = dte.command("AT+CMGR=1")
    pattern = (rb'\r\n\+CMGR: "REC UNREAD","\+15551112222",,' + SCTS
               + rb',145,4,0,0,"\+15550000000",145,13\r\nheader please\r\n\r\nOK\r\n')
    assert re.fullmatch(pattern, answer), answer


def test_text_mode_ucs2_character_set(bench):
    dte = bench.line()
    dte.setup()
    receive(bench, dte, "héllo ✓")
    dte.ok('AT+CMGF=1;+CSCS="UCS2"')
    answer = dte.command("AT+CMGR=1")
    number = "+15551112222".encode("utf-16-be").hex().upper().encode()
    text = "héllo ✓".encode("utf-16-be").hex().upper().encode()
    assert answer.startswith(b'\r\n+CMGR: "REC UNREAD","' + number + b'",,')
    assert answer.endswith(b"\r\n" + text + b"\r\n\r\nOK\r\n")
