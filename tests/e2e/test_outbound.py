"""Sending, end to end: the agent CLI queues, the daemon process sends over ptys, the
emulated network delivers and reports back."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from modemd.sms import encode_status_report

from .conftest import LINE1, LINE2, Desk, outside, wait_for

DONE = ("sent", "delivered")
# 400 GSM-7 characters with extension characters (two septets each): three parts.
LONG_TEXT = ("Your ticket {4711} is solved [see notes] ~ total 12€; " * 8)[:400]


def test_a_reply_leaves_from_the_line_the_customer_texted_and_line_overrides(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    customer1, customer2 = outside(11), outside(12)
    emulator.inject("line2", customer2, "Hi, customer 2 here")
    emulator.inject("line1", customer1, "Hi, customer 1 here")
    inbound = cli.wait_inbox(2)
    assert {m["peer"]: m["line"] for m in inbound} == {customer1: LINE1, customer2: LINE2}

    to2 = cli.send(customer2, "Reply to customer 2", as_process=True)  # no --line
    to1 = cli.send(customer1, "Reply to customer 1")
    cli.wait_status(to2, DONE)
    cli.wait_status(to1, DONE)
    lines = {m["id"]: m["line"] for m in cli.outbox()}
    assert (lines[to2], lines[to1]) == (LINE2, LINE1)
    on1 = {r["text"]: r["to"] for r in emulator.submitted("line1")}
    on2 = {r["text"]: r["to"] for r in emulator.submitted("line2")}
    assert on2 == {"Reply to customer 2": customer2}
    assert on1 == {"Reply to customer 1": customer1}

    chosen = cli.send(customer2, "From line 1 on purpose", line=LINE1)
    assert cli.wait_status(chosen, DONE)["line"] == LINE1
    assert "From line 1 on purpose" in emulator.submitted_texts("line1")
    assert "From line 1 on purpose" not in emulator.submitted_texts("line2")


def test_three_parts_go_out_under_one_reference_and_deliver_only_when_all_are(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    emulator.call("fault", line="line1", kind="drop-reports")  # the test sends each report
    peer = outside(20)
    message_id = cli.send(peer, LONG_TEXT, line=LINE1)
    message = cli.wait_status(message_id, "sent")
    assert (message["parts"], message["encoding"], message["text"]) == (3, "gsm7", LONG_TEXT)

    records = sorted((r for r in emulator.submitted("line1") if r["to"] == peer),
                     key=lambda r: r["concat"]["sequence"])
    assert [(r["concat"]["sequence"], r["concat"]["total"]) for r in records] == [
        (1, 3), (2, 3), (3, 3)]
    assert len({r["concat"]["reference"] for r in records}) == 1
    assert all(r["srr"] for r in records), "every part asks for a status report"
    assert "".join(r["text"] for r in records) == LONG_TEXT
    parts = message["part_list"]
    assert [p["seq"] for p in parts] == [1, 2, 3]
    assert [p["mr"] for p in parts] == [r["mr"] for r in records]
    assert [p["status"] for p in parts] == ["sent"] * 3

    now = datetime.now(UTC)
    for seq, record in enumerate(records, start=1):
        report = encode_status_report(record["mr"], peer, submitted_at=now, discharged_at=now,
                                      status=0x00)
        emulator.call("inject_pdu", line="line1", pdu=report.pdu, kind="report")
        shown = wait_for(f"part {seq} delivered", lambda: cli.show(message_id),
                         lambda m, seq=seq: m["part_list"][seq - 1]["status"] == "delivered")
        if seq < 3:
            assert (shown["status"], shown["delivered_at"]) == ("sent", None), shown
    assert shown["status"] == "delivered" and shown["delivered_at"]
    assert sorted(r["seq"] for r in shown["reports"]) == [1, 2, 3]
    assert emulator.stored("line1") == 0, "reports are deleted from the SIM once stored"


def test_a_failed_delivery_report_fails_the_message_with_its_reason(desk: Desk):
    desk.emulator.command("reports", "--status", "69")  # TP-ST 0x45, as a tester types it
    message_id = desk.cli.send(outside(30), "This one will not arrive")
    message = desk.cli.wait_status(message_id, "failed")
    assert "0x45" in (message["error"] or ""), message
    assert message["part_list"][0]["report_status"] == 0x45
    assert [r["outcome"] for r in message["reports"]] == ["failed"]


def test_a_temporary_cms_error_is_retried_and_the_message_delivered(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    emulator.call("fault", line="line1", kind="cms", code=42, count=1)  # congestion, once
    text = "Retried after congestion"
    message_id = cli.send(outside(40), text, line=LINE1)
    message = cli.wait_status(message_id, "delivered", timeout=30)  # after the backoff
    assert message["line"] == LINE1
    assert emulator.submitted_texts("line1")[text] == 1, "the refused try is not a submission"
    transcript = emulator.call("transcript", line="line1")
    said = "".join(e["text"] for e in transcript if e["dir"] == "tx")
    asked = "".join(e["text"] for e in transcript if e["dir"] == "rx")
    assert "+CMS ERROR: 42" in said
    assert asked.count("AT+CMGS=") == 2, "one refused try, one success"


def test_a_permanent_cms_error_fails_one_message_and_not_the_next(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    emulator.call("fault", line="line1", kind="cms", code=21, count=1)  # short message rejected
    refused = cli.send(outside(50), "Refused for good", line=LINE1)
    following = cli.send(outside(51), "The next one", line=LINE1)
    failed = cli.wait_status(refused, "failed")
    assert "21" in (failed["error"] or ""), failed
    assert cli.wait_status(following, "delivered")["line"] == LINE1
    sent = emulator.submitted_texts("line1")
    assert (sent["Refused for good"], sent["The next one"]) == (0, 1)


def test_send_queues_while_the_daemon_is_stopped_and_a_running_daemon_picks_up_fast(
        make_desk: Callable[..., Desk]):
    desk = make_desk(start=False)
    emulator, cli = desk.emulator, desk.cli
    answer = cli.process("send", outside(60), "Queued while the daemon is stopped")
    assert {k: answer[k] for k in ("status", "parts", "encoding")} == {
        "status": "queued", "parts": 1, "encoding": "gsm7"}
    listed = cli.process("outbox")
    assert [(m["id"], m["status"], m["line"]) for m in listed] == [(answer["id"], "queued", None)]

    desk.daemon.start()
    desk.wait_lines()
    assert cli.wait_status(answer["id"], DONE)
    assert sum(emulator.submitted_texts("line1", "line2").values()) == 1

    text = "Picked up at once"
    started = time.monotonic()  # in-process `modemd send`: the clock starts before the commit
    message_id = cli.send(outside(61), text)
    wait_for("the new message submitted", lambda: emulator.submitted_texts("line1", "line2"),
             lambda sent: sent[text] == 1, timeout=5, interval=0.01)
    latency = time.monotonic() - started
    assert latency < 1.0, f"send -> +CMGS took {latency:.2f} s"
    assert cli.wait_status(message_id, DONE)
