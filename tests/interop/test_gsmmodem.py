"""python-gsmmodem-new 0.13.0 (`GsmModem`) drives the emulator: connect, identity, send, receive.

What the client really does is asserted; where that is a client defect the test says
"client bug" (more of them in test_gsmmodem_client_bugs.py). Each test owns its lines of
rig "gsmmodem" (named below); line 2 only receives.
"""

from __future__ import annotations

import re
import time

import pytest
from gsmmodem.exceptions import IncorrectPinError, PinRequiredError
from gsmmodem.modem import SentSms

from .support import Emulator, Inbox, number, profile, wait_for

pytestmark = pytest.mark.interop

SENDER, SINK, RECEIVER, PEER_RECEIVER = 1, 2, 3, 4
ON_SIM_BEFORE, IN_ME_BEFORE, CDS_LINE, QUECTEL, SIERRA, LONG_LINE = 5, 6, 9, 13, 14, 16
OPERATOR = "modemd Emulated Network"  # the emulator's +COPS long name
DEFAULT_RSSI = 20


def consumed(rig: Emulator, index: int) -> None:
    """Wait until GsmModem has read and deleted (AT+CMGD) everything on the line: its
    notification thread is done, and closing the port will not cut it off."""
    wait_for(lambda: rig.stored(index) == 0, what=f"GsmModem to delete what line{index} got")


@pytest.mark.parametrize(("index", "name"), [
    (SENDER, "generic"), (QUECTEL, "quectel"), (SIERRA, "sierra")])
def test_connect_reads_identity_signal_and_network(gsm_modem, gsm_rig, rigs, index, name):
    modem = gsm_modem(gsm_rig.port(index))
    line, expected = rigs.line("gsmmodem", index), profile(name)
    assert modem.imei == line["imei"]
    assert modem.imsi == line["imsi"]
    assert modem.manufacturer == expected["manufacturer"]
    assert modem.model == expected["model"]
    assert modem.signalStrength == DEFAULT_RSSI
    assert modem.networkName == OPERATOR


def test_connect_unlocks_a_pin_locked_sim(gsm_modem, pin_rig, rigs):
    with pytest.raises(PinRequiredError):
        gsm_modem(pin_rig.port(5))
    modem = gsm_modem(pin_rig.port(5), connect={"pin": "1234"})
    assert modem.imsi == rigs.line("pin", 5)["imsi"]
    assert pin_rig.ctl("lines")[4]["sim"] == "READY"


def test_connect_with_a_wrong_pin_raises_and_the_sim_stays_locked(gsm_modem, pin_rig):
    with pytest.raises(IncorrectPinError):
        gsm_modem(pin_rig.port(6), connect={"pin": "0000"})
    assert pin_rig.ctl("lines")[5]["sim"] == "SIM PIN"


def test_send_sms_returns_the_reference_the_modem_assigned(gsm_modem, gsm_rig):
    modem = gsm_modem(gsm_rig.port(SENDER))
    sent = modem.sendSms(number(SINK), "Hello from GsmModem")
    submitted = gsm_rig.submitted(SENDER)[-1]
    assert (submitted["to"], submitted["text"], submitted["mr"]) == (
        number(SINK), "Hello from GsmModem", sent.reference)
    assert submitted["srr"] is True  # requestDelivery=True is its default
    wait_for(lambda: gsm_rig.stored(SINK) >= 1, what="the message at line2")
    wait_for(lambda: gsm_rig.stored(SENDER, "SR") == 0, what="GsmModem to consume the report")


def test_receive_injected_messages_from_a_number_and_a_name(gsm_modem, gsm_rig):
    inbox = Inbox()
    gsm_modem(gsm_rig.port(RECEIVER), smsReceivedCallbackFunc=inbox)
    gsm_rig.inject(RECEIVER, "+14155550100", "Injected hello")
    inbox.wait(1)
    consumed(gsm_rig, RECEIVER)  # the next +CMTI must not land inside its AT+CMGD
    gsm_rig.inject(RECEIVER, "ACME", "Your code is 1234")
    received = inbox.wait(2)
    assert [(s.number, s.text) for s in received] == [
        ("+14155550100", "Injected hello"), ("ACME", "Your code is 1234")]
    consumed(gsm_rig, RECEIVER)


def test_receive_a_message_another_line_sent(gsm_modem, gsm_rig):
    inbox = Inbox()
    gsm_modem(gsm_rig.port(PEER_RECEIVER), smsReceivedCallbackFunc=inbox)
    peer = gsm_modem(gsm_rig.port(SINK), AT_CNMI="2,1,0,0")  # the peer ignores its reports
    peer.sendSms(number(PEER_RECEIVER), "Hi from line 2")
    (received,) = inbox.wait(1)
    assert (received.number, received.text) == (number(SINK), "Hi from line 2")
    consumed(gsm_rig, PEER_RECEIVER)


def test_receive_a_long_message_part_by_part(gsm_modem, gsm_rig):
    """GsmModem hands each part over with its UDH; joining them is left to the application.

    The parts come 0.3 s apart: arriving together they hit the burst bug (see
    test_gsmmodem_client_bugs.py).
    """
    inbox = Inbox()
    gsm_modem(gsm_rig.port(LONG_LINE), smsReceivedCallbackFunc=inbox)
    text = " ".join(f"word{i:03d}" for i in range(50))
    injected = gsm_rig.inject(LONG_LINE, "+14155550100", text, gap=0.3)
    parts = inbox.wait(3)
    headers = [next(u for u in p.udh if hasattr(u, "parts")) for p in parts]
    assert [(h.reference, h.number, h.parts) for h in headers] == [
        (injected["reference"], i, 3) for i in (1, 2, 3)]
    assert "".join(p.text for p in parts) == text
    consumed(gsm_rig, LONG_LINE)


def test_delivery_report_is_waited_for_via_cdsi(gsm_modem, gsm_rig):
    """GsmModem sets AT+CNMI=2,1,0,2: reports are stored in SR and announced with +CDSI.

    The report comes 0.5 s after delivery. With no delay it can race GsmModem: sendSms
    creates its wait event only after +CMGS returns, and a report handled before that
    goes to the callback instead, so sendSms times out (client bug, modem.py sendSms).
    """
    gsm_rig.ctl("reports", delay=0.5)
    try:
        modem = gsm_modem(gsm_rig.port(SENDER))
        assert modem.write("AT+CNMI?")[0] == "+CNMI: 2,1,0,2,0"
        started = time.monotonic()
        sent = modem.sendSms(number(SINK), "Report this", waitForDeliveryReport=True,
                             deliveryTimeout=15)
        assert time.monotonic() - started < 5
    finally:
        gsm_rig.ctl("reports", delay=0.0)
    assert sent.status == SentSms.DELIVERED
    assert (sent.report.reference, sent.report.deliveryStatus) == (sent.reference, 0)
    assert re.search(r'\+CDSI: "SR",\d+', gsm_rig.transcript_text(SENDER))
    wait_for(lambda: gsm_rig.stored(SENDER, "SR") == 0, what="GsmModem to delete the report")


def test_a_failed_delivery_report_marks_the_message_failed(gsm_modem, gsm_rig):
    gsm_rig.ctl("reports", status=0x46, to=number(SINK), delay=0.3)  # 0x46: SC rejected
    try:
        modem = gsm_modem(gsm_rig.port(SENDER))
        sent = modem.sendSms(number(SINK), "This will fail", waitForDeliveryReport=True,
                             deliveryTimeout=15)
    finally:
        gsm_rig.ctl("reports", status=0, to=number(SINK), delay=0.0)
    assert sent.status == SentSms.FAILED
    assert sent.report.deliveryStatus == 0x46


def test_sierra_without_sr_memory_reports_into_me(gsm_modem, gsm_rig):
    """The sierra profile has no SR: the report lands in <mem3> (GsmModem chose ME)."""
    gsm_rig.ctl("reports", delay=0.3)
    try:
        modem = gsm_modem(gsm_rig.port(SIERRA))
        sent = modem.sendSms(number(SINK), "Report from a Sierra", waitForDeliveryReport=True,
                             deliveryTimeout=15)
    finally:
        gsm_rig.ctl("reports", delay=0.0)
    assert sent.status == SentSms.DELIVERED
    assert re.search(r'\+CDSI: "ME",\d+', gsm_rig.transcript_text(SIERRA))


def test_messages_waiting_on_the_sim_before_connect(gsm_modem, gsm_rig):
    """client bug: processStoredSms() reads only the memory connect() chose ("ME").

    Messages that arrived before the first connect sit in SM (the power-on <mem3>), and
    processStoredSms() never sweeps SM, so it reports nothing. listStoredSms(memory="SM")
    and deleteStoredSms(index, memory="SM") do reach them.
    """
    gsm_rig.inject(ON_SIM_BEFORE, "+14155550100", "Waiting one")
    gsm_rig.inject(ON_SIM_BEFORE, "ACME", "Waiting two")
    wait_for(lambda: gsm_rig.stored(ON_SIM_BEFORE, "SM") == 2, what="two messages on the SIM")
    inbox = Inbox()
    modem = gsm_modem(gsm_rig.port(ON_SIM_BEFORE), smsReceivedCallbackFunc=inbox)

    modem.processStoredSms()
    assert inbox.items == []
    assert gsm_rig.stored(ON_SIM_BEFORE, "SM") == 2

    listed = modem.listStoredSms(memory="SM")
    assert [(s.number, s.text, s.status) for s in listed] == [
        ("+14155550100", "Waiting one", 0), ("ACME", "Waiting two", 0)]
    for sms in listed:
        modem.deleteStoredSms(sms.index, memory="SM")
    assert gsm_rig.stored(ON_SIM_BEFORE) == 0


def test_process_stored_sms_hands_over_and_deletes(gsm_modem, gsm_rig):
    """Messages that arrived while no client was attached, in the memory GsmModem uses."""
    gsm_modem(gsm_rig.port(IN_ME_BEFORE)).close()  # a first session set <mem3> to ME
    gsm_rig.inject(IN_ME_BEFORE, "+14155550100", "While you were away")
    gsm_rig.inject(IN_ME_BEFORE, "+14155550101", "Me too")
    wait_for(lambda: gsm_rig.stored(IN_ME_BEFORE, "ME") == 2, what="two messages in ME")

    inbox = Inbox()
    modem = gsm_modem(gsm_rig.port(IN_ME_BEFORE), smsReceivedCallbackFunc=inbox)
    modem.processStoredSms()
    assert sorted((s.number, s.text) for s in inbox.items) == [
        ("+14155550100", "While you were away"), ("+14155550101", "Me too")]
    assert gsm_rig.stored(IN_ME_BEFORE) == 0


def test_status_report_routed_directly_as_cds(gsm_modem, gsm_rig):
    """With AT+CNMI=2,1,0,1 (its fallback) the report comes as +CDS and reaches the callback.

    The report comes 0.3 s after delivery. client bug: sendSms registers the SentSms
    (sentSms[reference]) only after +CMGS returns, so a report handled before that
    reaches the callback but is never attached to the message (status stays ENROUTE).
    """
    reports = Inbox()
    modem = gsm_modem(gsm_rig.port(CDS_LINE), AT_CNMI="2,1,0,1",
                      smsStatusReportCallback=reports)
    gsm_rig.ctl("reports", delay=0.3)
    try:
        sent = modem.sendSms(number(SINK), "Report me directly")
        (report,) = reports.wait(1)
    finally:
        gsm_rig.ctl("reports", delay=0.0)
    assert (report.reference, report.deliveryStatus) == (sent.reference, 0)
    assert sent.status == SentSms.DELIVERED


def test_cds_header_is_the_27005_pdu_form(gsm_modem, gsm_rig):
    """27.005 3.4.1: in PDU mode '+CDS: <length><CR><LF><pdu>', with no <alpha> field
    (unlike +CMT). GsmModem would not notice a wrong header (its CDS_REGEX wants a
    trailing '"' and it ignores the length); stricter clients do. Found by this test
    in the emulator of commit b849dbe, which wrote '+CDS: ,<length>'."""
    reports = Inbox()
    modem = gsm_modem(gsm_rig.port(CDS_LINE), AT_CNMI="2,1,0,1",
                      smsStatusReportCallback=reports)
    modem.sendSms(number(SINK), "Report me directly, again")
    reports.wait(1)
    headers = re.findall(r"\r\n(\+CDS:[^\r\n]*)\r\n([0-9A-F]+)\r\n",
                         gsm_rig.transcript_text(CDS_LINE))
    assert headers
    for header, pdu in headers:
        smsc_octets = 1 + int(pdu[:2], 16)
        assert header == f"+CDS: {len(pdu) // 2 - smsc_octets}", header
