"""Each way python-gsmmodem-new's GsmModem loses or misroutes messages, against our channel.

Every scenario runs on the fakemodem:// URL handler and on a real pty.
"""

from __future__ import annotations

import threading
import time

import pytest

from modemd.at import AtChannel, AtTimeout, Urc
from modemd.emulator.rig import Rig
from modemd.sms import decode_from_ms, encode_submit

from .conftest import LINE
from .helpers import OUTSIDE, UrcLog, cmgs, part, wait_for

CSQ = "+CSQ: 20,0"
PDU = "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"


def synced(channel: AtChannel) -> AtChannel:
    """First command done: the open-time resync is behind us."""
    channel.command("ATE0")
    channel.command("AT+CMEE=1")
    return channel


def writes(rig: Rig, direction: str = "tx") -> list[bytes]:
    return [bytes.fromhex(e["hex"]) for e in rig.transcript(LINE) if e["dir"] == direction]


def received_commands(rig: Rig) -> list[str]:
    """What the modem was sent, one entry per CR-terminated line (PDUs included)."""
    data = b"".join(writes(rig, "rx")).replace(b"\x1b", b"").replace(b"\x1a", b"\r")
    return [line.decode("latin-1") for line in data.split(b"\r") if line]


def test_urc_inside_a_response_goes_to_the_handler(rig: Rig, connect, urcs: UrcLog) -> None:
    channel = synced(connect(rig))
    rig.set_timing(LINE, urc_mode="in_response")
    rig.urc(LINE, '+CMTI: "SM",3')
    assert channel.command("AT+CSQ", expect="+CSQ") == [CSQ]
    assert urcs.wait("+CMTI") == [Urc("+CMTI", '"SM",3')]
    assert any(b"+CSQ" in w and b"+CMTI" in w and b"OK" in w for w in writes(rig))


def test_burst_of_two_urcs_in_one_write_both_delivered(rig: Rig, connect, urcs: UrcLog) -> None:
    synced(connect(rig))
    rig.set_timing(LINE, urc_mode="coalesce")
    rig.urc(LINE, '+CMTI: "SM",1')
    rig.urc(LINE, '+CMTI: "SM",2')
    assert [u.fields for u in urcs.wait("+CMTI", 2)] == [["SM", "1"], ["SM", "2"]]
    assert any(w.count(b"+CMTI") == 2 for w in writes(rig))


def test_urc_right_after_the_prompt_during_cmgs(rig: Rig, connect, urcs: UrcLog) -> None:
    channel = synced(connect(rig))
    rig.set_timing(LINE, urc_mode="after_prompt")
    rig.urc(LINE, '+CMTI: "SM",5')
    pdu = part("after the prompt")
    assert channel.command_with_prompt(cmgs(pdu), pdu.pdu) == ["+CMGS: 1"]
    assert urcs.wait("+CMTI") == [Urc("+CMTI", '"SM",5')]
    assert any(w.startswith(b"\r\n> \r\n+CMTI") for w in writes(rig))
    assert [s["text"] for s in rig.submitted(LINE)] == ["after the prompt"]


def test_cmt_header_and_pdu_in_separate_writes_make_one_urc(
        rig: Rig, connect, urcs: UrcLog) -> None:
    synced(connect(rig))
    rig.set_timing(LINE, split_pdu=True)
    rig.urc(LINE, "+CMT: ,39", pdu=PDU)
    assert urcs.wait("+CMT") == [Urc("+CMT", ",39", PDU)]
    tx = writes(rig)
    assert any(w.endswith(b"+CMT: ,39\r\n") for w in tx)
    assert PDU.encode() + b"\r\n" in tx  # the PDU came in a write of its own


def test_transaction_admits_no_foreign_command(rig: Rig, connect) -> None:
    channel = synced(connect(rig))
    for n in range(5):
        rig.inject(LINE, "+15551230000", f"stored {n}")
    wait_for(lambda: len(rig.storage(LINE)["SM"]) == 5, what="5 stored messages")
    # a poller hammers AT+CSQ while transactions read and delete stored messages
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            channel.command("AT+CSQ", expect="+CSQ")

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        for index in [m["index"] for m in rig.storage(LINE)["SM"]]:
            with channel.transaction():
                channel.command('AT+CPMS="SM"', expect="+CPMS")
                channel.command(f"AT+CMGR={index}", expect="+CMGR")
                channel.command(f"AT+CMGD={index}")
            time.sleep(0.01)  # let the poller in between transactions
    finally:
        done.set()
        poller.join()
    assert_transactions_atomic(received_commands(rig))
    assert rig.storage(LINE)["SM"] == []


def assert_transactions_atomic(commands: list[str]) -> None:
    starts = [i for i, c in enumerate(commands) if c == 'AT+CPMS="SM"']
    assert len(starts) == 5
    for start in starts:
        index = commands[start + 1].removeprefix("AT+CMGR=")
        assert commands[start + 1:start + 3] == [f"AT+CMGR={index}", f"AT+CMGD={index}"]
    polls = [i for i, c in enumerate(commands) if c == "AT+CSQ"]
    assert polls and polls[0] < starts[-1]  # the poller really ran alongside


def test_command_text_never_lands_in_a_pdu(rig: Rig, connect) -> None:
    channel = synced(connect(rig))
    texts = [f"part {n} of a busy afternoon" for n in range(12)]
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            channel.command("AT+CSQ", expect="+CSQ")

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        mrs = [send(channel, text) for text in texts]
    finally:
        done.set()
        poller.join()
    submitted = rig.submitted(LINE)
    assert [s["text"] for s in submitted] == texts
    assert [decode_from_ms(s["pdu"]).text for s in submitted] == texts
    assert mrs == [s["mr"] for s in submitted]
    assert "AT+CSQ" in received_commands(rig)


def send(channel: AtChannel, text: str) -> int:
    (pdu,) = encode_submit(OUTSIDE, text)
    (answer,) = channel.command_with_prompt(cmgs(pdu), pdu.pdu)
    return int(answer.removeprefix("+CMGS: "))


def test_late_reply_goes_to_nobody_and_the_next_command_gets_its_own(
        rig: Rig, connect, urcs: UrcLog) -> None:
    channel = synced(connect(rig))
    rig.fault(LINE, "slow", seconds=0.4)  # stays slow: every answer comes 0.4 s late
    with pytest.raises(AtTimeout):
        channel.command("AT+CSQ", expect="+CSQ", timeout=0.15)
    imei = rig.describe(LINE)["imei"]
    assert channel.command("AT+CGSN", timeout=2) == [imei]
    rig.fault(LINE, "clear")
    assert channel.command("AT+CSQ", expect="+CSQ") == [CSQ]
    assert urcs.urcs == []  # the late "+CSQ" line was not passed off as a URC


def test_non_utf8_bytes_do_not_kill_the_reader(rig: Rig, connect, urcs: UrcLog) -> None:
    channel = synced(connect(rig))
    rig.raw(LINE, b"\xff\xfe\x80\r\n")
    rig.fault(LINE, "noise", count=2)  # the next two answers start with binary garbage
    lines = channel.command("AT+CSQ", expect="+CSQ")
    assert lines[-1] == CSQ and "\ufffd" in lines[0]
    rig.urc(LINE, '+CMTI: "SM",9')
    assert urcs.wait("+CMTI") == [Urc("+CMTI", '"SM",9')]
    assert channel.command("AT+CGSN")[-1] == rig.describe(LINE)["imei"]
    assert channel.command("AT") == []
