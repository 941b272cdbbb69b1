"""What the network records besides `submitted`: the sends it refused, and what it
handed to each line (messages and status reports, with where they went)."""

from __future__ import annotations

import re

from modemd.sms import encode_submit

from .dte import wait_for

OUTSIDE = "+15557654321"
SENDER = "+15551112222"
CMGS_OK = re.compile(rb"\r\n\+CMGS: (\d+)\r\n\r\nOK\r\n")


def _part(text: str = "hello", to: str = OUTSIDE):
    (part,) = encode_submit(to, text, status_report=True)
    return part


def test_an_injected_cms_error_is_a_refused_record_not_a_submission(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.fault(dte.name, "cms", code=42, count=1)
    part = _part("refused once")
    assert dte.send_pdu(part) == b"\r\n+CMS ERROR: 42\r\n"
    (refused,) = bench.rig.refused(dte.name)
    assert (refused["cms"], refused["to"], refused["text"], refused["pdu"], refused["mr"]) == (
        42, OUTSIDE, "refused once", part.pdu, None)
    assert bench.rig.submitted(dte.name) == []
    assert CMGS_OK.fullmatch(dte.send_pdu(part))
    assert len(bench.rig.refused(dte.name)) == 1
    assert [r["pdu"] for r in bench.rig.submitted(dte.name)] == [part.pdu]


def test_no_service_is_a_refused_331(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.fault(dte.name, "no-network")
    dte.send_pdu(_part())
    assert [r["cms"] for r in bench.rig.refused(dte.name)] == [331]


def test_received_records_a_stored_message(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.inject(dte.name, SENDER, "kept on the SIM")
    dte.expect(b'\r\n+CMTI: "SM",1\r\n')
    (record,) = bench.rig.received(dte.name)
    assert (record["kind"], record["route"], record["about"]) == ("deliver", "SM", None)
    assert record["pdu"] == bench.rig.storage(dte.name)["SM"][0]["pdu"]


def test_received_records_a_direct_message(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    bench.rig.inject(dte.name, SENDER, "straight to the TE")
    dte.read_until(b"\r\n")
    wait_for(lambda: bench.rig.received(dte.name))
    assert bench.rig.received(dte.name)[0]["route"] == "direct"


def test_a_status_report_names_the_submission_it_reports_on(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,1,0,2,0")
    part = _part("report me")
    mr = int(CMGS_OK.fullmatch(dte.send_pdu(part)).group(1))
    dte.expect(b'\r\n+CDSI: "SR",1\r\n')
    (record,) = bench.rig.received(dte.name)
    assert (record["kind"], record["route"]) == ("report", "SR")
    assert record["about"] == {"mr": mr, "to": OUTSIDE, "pdu": part.pdu}
    assert record["pdu"] == bench.rig.storage(dte.name)["SR"][0]["pdu"]


def test_a_report_the_te_did_not_route_is_recorded_as_discarded(bench):
    dte = bench.line()
    dte.setup("AT+CNMI=2,1,0,0,0")
    dte.send_pdu(_part())
    wait_for(lambda: bench.rig.received(dte.name), what="the report")
    assert bench.rig.received(dte.name)[0]["route"] == "discarded"
    assert bench.rig.storage(dte.name)["SR"] == []


def test_a_message_the_full_sim_cannot_take_is_received_only_once_it_fits(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.set_capacity(dte.name, "SM", 1)
    bench.rig.inject(dte.name, SENDER, "first")
    bench.rig.inject(dte.name, SENDER, "second")
    wait_for(lambda: dte.describe()["held"] == 1, what="the second held")
    assert len(bench.rig.received(dte.name)) == 1
    dte.ok("AT+CMGD=1")
    wait_for(lambda: len(bench.rig.received(dte.name)) == 2, what="the second delivered")
