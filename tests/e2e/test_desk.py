"""The desk, end to end: customers text STOP, START and HELP to the emulated lines, the
daemon process records them, and the agent CLI refuses, fails, flags and names."""

from __future__ import annotations

import json
import subprocess

from .conftest import LINE1, LINE2, Desk, modemd_argv, outside, wait_for


def refused_send(desk: Desk, to: str, text: str) -> subprocess.CompletedProcess:
    """`modemd send` as an agent types it, expected to refuse."""
    done = subprocess.run(modemd_argv("send", to, text, "--db", str(desk.cli.db)),
                          capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode, done.stdout) == (1, ""), done
    return done


def test_stop_refuses_and_fails_what_waited_then_start_lets_a_send_through(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    customer = outside(90)
    emulator.call("fault", line="line1", kind="cms", code=330, count=1)  # no SMSC: pauses
    waiting = cli.send(customer, "Your refund is on its way", line=LINE1)
    wait_for("line1 paused and the message back in the queue",
             lambda: (cli.lines()[LINE1]["state"], cli.show(waiting)["status"]),
             lambda seen: seen == ("paused", "queued"))

    emulator.inject("line2", customer, " Stop. ")
    failed = cli.wait_status(waiting, "failed")
    [optout] = wait_for("the opt-out", lambda: cli.run("optouts"))
    [stop] = cli.inbox(peer=customer)
    assert (optout["peer"], optout["source"], optout["operator"]) == (customer, stop["id"], None)
    assert stop["keyword"] == "stop"
    reason = f"{customer} opted out (STOP) at {optout['since']}"
    assert failed["error"] == f"not sent: {reason}"
    assert {p["status"] for p in failed["part_list"]} == {"failed"}

    before = len(cli.outbox())
    done = refused_send(desk, customer, "Just one more thing")
    assert done.stderr == (f"Error: {reason}: nothing queued; they can opt back in by "
                           "texting START\n")
    assert len(cli.outbox()) == before, "a refused send queues nothing"
    assert not any(r["to"] == customer for line in ("line1", "line2")
                   for r in emulator.submitted(line)), "the daemon never answered by itself"

    emulator.inject("line2", customer, "START")
    wait_for("the opt-in", lambda: cli.run("optouts"), lambda rows: rows == [])
    welcome = cli.send(customer, "Welcome back", as_process=True)
    assert cli.wait_status(welcome, "delivered")["line"] == LINE2
    actions = [(a["action"], a["operator"]) for a in cli.run("audit", "--peer", customer)]
    assert actions == [("send", actions[0][1]), ("optin", customer), ("optout", customer),
                       ("send", actions[3][1])]


def test_help_is_flagged_and_nothing_answers_it(desk: Desk):
    customer = outside(91)
    desk.emulator.inject("line1", customer, "help!")
    desk.emulator.inject("line1", customer, "I need help with my order")
    inbound = desk.cli.wait_inbox(2, peer=customer)
    assert {m["text"]: m["keyword"] for m in inbound} == {
        "help!": "help", "I need help with my order": None}
    assert desk.cli.run("optouts") == []
    assert not any(r["to"] == customer for r in desk.emulator.submitted("line1"))


def test_a_contact_s_name_shows_everywhere_and_send_name_delivers(desk: Desk):
    cli, customer = desk.cli, outside(92)
    desk.emulator.inject("line1", customer, "Hi, Ada here")
    cli.wait_inbox(1, peer=customer)
    cli.process("contact", "add", customer, "Ada Lovelace", as_json=False)
    message_id = cli.send("ada lovelace", "Hello Ada", as_process=True)
    delivered = cli.wait_status(message_id, "delivered")
    assert (delivered["peer"], delivered["contact"], delivered["line"]) == (
        customer, "Ada Lovelace", LINE1)  # the line she texted
    assert {m["contact"] for m in cli.run("thread", customer)} == {"Ada Lovelace"}
    assert cli.inbox(peer=customer)[0]["contact"] == "Ada Lovelace"
    assert "Ada Lovelace" in cli.run("outbox", as_json=False)


def test_a_reply_leaves_from_the_line_the_message_came_in_on(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    customer = outside(93)
    earlier = cli.send(customer, "We shipped your order", line=LINE1)
    cli.wait_status(earlier, "delivered")  # the contact's sticky line is line1 now ...
    emulator.inject("line2", customer, "Where is it?")  # ... but they wrote to line2
    [question] = cli.wait_inbox(1, peer=customer)
    done = subprocess.run(modemd_argv("reply", str(question["id"]), "Arriving today",
                                      "--db", str(cli.db), "--json"),
                          capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    answer = cli.wait_status(json.loads(done.stdout)["id"], "delivered")
    assert (answer["peer"], answer["line"]) == (customer, LINE2)
    assert [r["text"] for r in emulator.submitted("line2") if r["to"] == customer] == [
        "Arriving today"]
    [replied, sent] = [(a["action"], a["detail"]) for a in cli.run("audit", "--peer", customer)]
    assert replied == ("reply", f"to {customer}, answering #{question['id']}")
    assert sent == ("send", f"to {customer}")


def test_replies_that_cannot_be_sent_say_why_and_queue_nothing(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    emulator.inject("line1", "ACME", "Your code is 1234")  # an alphanumeric sender
    [alpha] = cli.wait_inbox(1, peer="ACME")
    before = len(cli.outbox())
    cases = {alpha["id"]: f"message {alpha['id']} came from 'ACME', a sender name "
                          "(alphanumeric), not a number: it cannot be answered",
             99999: "no inbound message 99999: `modemd inbox` lists them"}
    for message_id, said in cases.items():
        done = subprocess.run(modemd_argv("reply", str(message_id), "hello", "--db",
                                          str(cli.db)),
                              capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 1 and said in done.stderr, done
    customer = outside(94)
    emulator.inject("line1", customer, "STOP")
    [stop] = cli.wait_inbox(1, peer=customer)
    wait_for("the opt-out", lambda: cli.run("optouts"), lambda rows: len(rows) == 1)
    done = subprocess.run(modemd_argv("reply", str(stop["id"]), "Sorry to see you go",
                                      "--db", str(cli.db)),
                          capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 1 and f"{customer} opted out (STOP)" in done.stderr
    assert len(cli.outbox()) == before, "a refused reply queues nothing"
