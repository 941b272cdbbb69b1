"""Defects of python-gsmmodem-new 0.13.0 that the emulator exposes, on demand and every time.

Each test asserts what the client really does, and each is a client bug: the
emulator's bytes are what real modems send (URCs may arrive inside a response or
back to back, a +CDS and its PDU may come in separate reads, USB may drop, a
line may carry a non-UTF-8 byte). These are the reasons the README gives for not
using GsmModem/SerialComms; the evidence is here. Each test owns its lines of rig "gsmmodem"
(named below); line 2 only receives.
"""

from __future__ import annotations

import time

import pytest
import serial
from gsmmodem.exceptions import TimeoutException

from .support import Inbox, number, wait_for

pytestmark = pytest.mark.interop

IN_RESPONSE, BURST, NOISE, LATE, UNPLUG, CODEC, SPLIT, DIRECT = 7, 8, 10, 11, 12, 15, 17, 18


@pytest.fixture
def timing(gsm_rig):
    """Set awkward timing on a line for one test, and put it back."""
    touched: list[int] = []

    def set_timing(index: int, **options: object) -> None:
        touched.append(index)
        gsm_rig.ctl("timing", line=f"line{index}", **options)

    yield set_timing
    for index in touched:
        gsm_rig.ctl("timing", line=f"line{index}", urc_mode="immediate", split_pdu=False)


def test_a_urc_inside_a_response_is_swallowed(gsm_modem, gsm_rig, timing):
    """client bug: SerialComms._handleLineRead appends every line to the pending response.

    A +CMTI that arrives while a command waits for its final code becomes part of that
    command's answer and is never handled: the message stays on the SIM unannounced.
    """
    inbox = Inbox()
    modem = gsm_modem(gsm_rig.port(IN_RESPONSE), smsReceivedCallbackFunc=inbox)
    timing(IN_RESPONSE, urc_mode="in_response")
    gsm_rig.inject(IN_RESPONSE, "+14155550100", "Lost in a response")
    wait_for(lambda: gsm_rig.stored(IN_RESPONSE) == 1, what="the message stored")

    answer = modem.write("AT+CSQ")
    assert answer == ["+CSQ: 20,0", '+CMTI: "ME",1', "OK"]
    time.sleep(0.5)
    assert inbox.items == []
    assert gsm_rig.stored(IN_RESPONSE, "ME") == 1


def test_only_the_first_urc_of_a_burst_is_handled(gsm_modem, gsm_rig, timing):
    """client bug: GsmModem.__threadedHandleModemNotification returns after the first +CMTI.

    Three +CMTI in one write (the three parts of a long message) are read as one
    notification; parts 2 and 3 are never read and stay in ME.
    """
    inbox = Inbox()
    gsm_modem(gsm_rig.port(BURST), smsReceivedCallbackFunc=inbox)
    timing(BURST, urc_mode="coalesce")
    gsm_rig.inject(BURST, "+14155550100", " ".join(f"word{i:03d}" for i in range(50)))
    inbox.wait(1)
    wait_for(lambda: gsm_rig.stored(BURST, "ME") == 2, what="part 1 read and deleted")
    time.sleep(0.5)
    assert len(inbox.items) == 1
    assert gsm_rig.stored(BURST, "ME") == 2


def test_a_cds_split_across_reads_loses_the_report(gsm_modem, gsm_rig, timing):
    """client bug: the +CDS header and its PDU line are only paired within one notification.

    When the PDU line comes in a later read, the header is 'unhandled' and the PDU line
    on its own is 'unhandled' too: the status report is lost and the message stays
    ENROUTE for ever.
    """
    reports = Inbox()
    modem = gsm_modem(gsm_rig.port(SPLIT), AT_CNMI="2,1,0,1", smsStatusReportCallback=reports)
    timing(SPLIT, split_pdu=True)
    sent = modem.sendSms(number(2), "Report in two pieces")
    wait_for(lambda: "+CDS:" in gsm_rig.transcript_text(SPLIT), what="the +CDS on the wire")
    time.sleep(0.5)
    assert reports.items == []
    assert sent.report is None


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_non_utf8_byte_kills_the_reader_silently(gsm_modem, gsm_rig):
    """client bug: SerialComms._readLoop decodes each line as UTF-8 and catches only
    SerialException, so one 0xFF ends the reader thread; alive stays True, no fatal
    callback runs, and every later command times out although the modem answers."""
    fatal = Inbox()
    modem = gsm_modem(gsm_rig.port(NOISE), fatalErrorCallbackFunc=fatal)
    gsm_rig.ctl("raw", line=f"line{NOISE}", hex="FF0D0A")
    wait_for(lambda: not modem.rxThread.is_alive(), what="the reader thread to die")
    assert modem.alive is True
    assert fatal.items == []
    with pytest.raises(TimeoutException):
        modem.write("AT", timeout=1)
    assert gsm_rig.transcript_text(NOISE).endswith("\r\nOK\r\n")  # the modem did answer


def test_a_late_answer_is_handed_to_the_next_command(gsm_modem, gsm_rig, rigs):
    """client bug: after a timeout SerialComms keeps no record of the outstanding command,
    so its late answer is taken as the next command's answer, and every answer after it
    is off by one: IMSI asked, IMEI returned; signal asked, IMSI returned."""
    line = rigs.line("gsmmodem", LATE)
    modem = gsm_modem(gsm_rig.port(LATE))
    gsm_rig.ctl("fault", line=f"line{LATE}", kind="slow", seconds=0.5)
    try:
        with pytest.raises(TimeoutException):
            modem.write("AT+CGSN", timeout=0.2)
        assert modem.write("AT+CIMI") == [line["imei"], "OK"]
    finally:
        gsm_rig.ctl("fault", line=f"line{LATE}", kind="clear")
    assert modem.write("AT+CSQ") == [line["imsi"], "OK"]


def test_an_unplugged_modem_is_never_reopened(gsm_modem, gsm_rig):
    """client bug: after the port vanishes GsmModem marks itself dead and never reopens it;
    the modem comes back behind the same link, and only a new GsmModem can use it."""
    fatal = Inbox()
    modem = gsm_modem(gsm_rig.port(UNPLUG), fatalErrorCallbackFunc=fatal)
    gsm_rig.ctl("unplug", line=f"line{UNPLUG}", seconds=0.3)
    fatal.wait(1)
    assert modem.alive is False
    wait_for(lambda: gsm_rig.ctl("lines")[UNPLUG - 1]["plugged"], what="the replug")
    with pytest.raises(serial.SerialException):
        modem.write("AT")
    fresh = gsm_modem(gsm_rig.port(UNPLUG))
    assert fresh.imei == gsm_rig.ctl("lines")[UNPLUG - 1]["imei"]


def test_direct_delivery_with_cmt_is_ignored(gsm_modem, gsm_rig):
    """client bug: GsmModem handles +CMTI but has no +CMT handler.

    With AT_CNMI="2,2,0,0" (mt=2: deliver directly) the message reaches the wire and is
    dropped as an 'unhandled notification'; with +CSMS=0 the network counts it delivered.
    """
    inbox = Inbox()
    gsm_modem(gsm_rig.port(DIRECT), AT_CNMI="2,2,0,0", smsReceivedCallbackFunc=inbox)
    gsm_rig.inject(DIRECT, "+14155550100", "Straight to the TE")
    wait_for(lambda: "+CMT:" in gsm_rig.transcript_text(DIRECT), what="the +CMT on the wire")
    time.sleep(0.5)
    assert inbox.items == []
    assert gsm_rig.stored(DIRECT) == 0


def test_emoji_cannot_be_sent(gsm_modem, gsm_rig):
    """client bug: gsmmodem.pdu encodes UCS-2 one code point per 16 bits, so a character
    outside the BMP raises ValueError instead of going as a surrogate pair."""
    modem = gsm_modem(gsm_rig.port(CODEC), AT_CNMI="2,1,0,0")
    with pytest.raises(ValueError, match="byte must be in range"):
        modem.sendSms(number(2), "Thumbs up 👍")
    assert gsm_rig.submitted(CODEC) == []


def test_section_sign_forces_ucs2_and_reports_are_always_requested(gsm_modem, gsm_rig):
    """client bugs: (1) its GSM-7 table has '`' where '§' belongs (0x5F), so a text with
    '§' falls back to UCS-2 (70 characters a part instead of 160); (2) requestDelivery=False
    only changes AT+CSMP (text mode): in PDU mode encodeSmsSubmitPdu is called with its
    default requestStatusReport=True, so TP-SRR is set anyway."""
    modem = gsm_modem(gsm_rig.port(CODEC), AT_CNMI="2,1,0,0", requestDelivery=False)
    modem.sendSms(number(2), "Terms: see § 4")
    submitted = gsm_rig.submitted(CODEC)[-1]
    assert (submitted["text"], submitted["encoding"], submitted["srr"]) == (
        "Terms: see § 4", "ucs2", True)


def test_every_session_starts_concatenation_references_at_zero(gsm_modem, gsm_rig):
    """client bug: sendSms uses its own counter (_smsRef, 0 after connect, then last TP-MR+1)
    as the concatenation reference, so two sessions' long messages to one recipient carry
    the same reference and a phone can mix their parts (it must be a fresh random one)."""
    text = "x" * 200
    for _ in range(2):
        modem = gsm_modem(gsm_rig.port(CODEC), AT_CNMI="2,1,0,0")
        modem.sendSms(number(2), text)
        modem.close()
    parts = [s for s in gsm_rig.submitted(CODEC) if s["concat"]][-4:]
    assert [(p["concat"]["reference"], p["concat"]["sequence"]) for p in parts] == [
        (0, 1), (0, 2), (0, 1), (0, 2)]
    assert "".join(p["text"] for p in parts[:2]) == text
