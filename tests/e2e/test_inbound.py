"""Receiving, end to end: the emulated network delivers to a SIM on a pty, the daemon
process stores, commits, then deletes; the agent CLI shows it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from .conftest import LINE1, Desk, outside, wait_for

# Three GSM-7 parts, with extension characters a phone must not split.
LONG_REPLY = ("Thanks! My order [A-17] arrived {damaged}; refund 30€ ~ please | ok? " * 7)[:380]


def test_a_shuffled_three_part_message_is_reassembled_exactly(desk: Desk):
    peer = outside(70)
    injected = desk.emulator.inject("line1", peer, LONG_REPLY, shuffle=True, gap=0.2)
    assert injected["parts"] == 3
    [message] = wait_for("the long reply", lambda: desk.cli.inbox(peer=peer),
                         lambda rows: rows and rows[0]["status"] == "received")
    assert message["text"] == LONG_REPLY
    assert (message["parts"], message["parts_received"], message["line"]) == (3, 3, LINE1)
    parts = desk.cli.show(message["id"])["part_list"]
    assert [p["seq"] for p in parts] == [1, 2, 3]
    assert {p["reference"] for p in parts} == {injected["reference"]}
    assert desk.emulator.stored("line1") == 0


def test_a_burst_of_100_into_a_30_slot_sim_is_stored_once_each_and_the_sim_emptied(
        desk: Desk):
    emulator = desk.emulator
    assert emulator.line("line1")["storage"]["SM"] == [0, 30]
    texts = [f"Burst message {n:03d}" for n in range(100)]
    desk.daemon.pause()  # the burst outruns the reader: the SIM fills, the network holds
    try:
        for n, text in enumerate(texts):
            emulator.inject("line1", outside(n), text)
        wait_for("line1's SIM full and 70 held", lambda: emulator.line("line1"),
                 lambda line: line["storage"]["SM"] == [30, 30] and line["held"] == 70)
    finally:
        desk.daemon.resume()
    inbound = desk.cli.wait_inbox(100, timeout=60)
    assert Counter(m["text"] for m in inbound) == Counter(texts), "each exactly once"
    assert {m["line"] for m in inbound} == {LINE1}
    wait_for("line1's SIM emptied and nothing held", lambda: emulator.line("line1"),
             lambda line: line["held"] == 0 and line["storage"]["SM"][0] == 0)
    assert emulator.stored("line1") == 0
    assert len(desk.cli.inbox()) == 100, "nothing stored twice"


def test_messages_waiting_on_the_sim_before_start_are_taken(make_desk: Callable[..., Desk]):
    desk = make_desk(start=False)
    emulator = desk.emulator
    texts = {f"Sent while the desk was closed #{n}" for n in range(5)}
    for n, text in enumerate(sorted(texts)):
        emulator.inject("line1", outside(80 + n), text)
    wait_for("5 messages on line1's SIM", lambda: emulator.stored("line1"),
             lambda stored: stored == 5)

    desk.daemon.start()
    inbound = desk.cli.wait_inbox(5)
    assert sorted(m["text"] for m in inbound) == sorted(texts)
    assert len(inbound) == 5
    wait_for("line1's SIM emptied", lambda: emulator.stored("line1"), lambda n: n == 0)
    desk.wait_lines()


def test_an_undecodable_pdu_is_quarantined_and_removed_and_the_next_message_arrives(
        desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    emulator.command("inject-pdu", "line1", "00DEADBEEF")  # as a tester types it
    [kept] = wait_for("the PDU quarantined", lambda: cli.run("quarantine"))
    assert "DEADBEEF" in kept["pdu"].upper()
    assert kept["reason"]
    wait_for("line1's SIM emptied", lambda: emulator.stored("line1"), lambda n: n == 0)

    emulator.inject("line1", outside(90), "A normal message after the garbage")
    [message] = cli.wait_inbox(1)
    assert (message["text"], message["peer"]) == ("A normal message after the garbage",
                                                  outside(90))
    assert len(cli.run("quarantine")) == 1
