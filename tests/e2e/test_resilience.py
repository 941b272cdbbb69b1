"""What appliances go through, end to end: a modem pulled out and plugged back under
another tty, kill -9 mid-queue, SIGTERM mid-send, a wrong PIN."""

from __future__ import annotations

import time
from collections.abc import Callable

import serial

from .conftest import LINE1, LINE2, Desk, outside, wait_for

DONE = ("sent", "delivered")
LONG_TEXT = "A three-part message, stopped politely in the middle. " * 7  # 378 chars


def test_unplug_and_replug_under_another_tty_finds_the_line_by_identity(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    before = cli.lines()[LINE1]
    old_tty = emulator.line("line1")["tty"]

    emulator.call("unplug", line="line1")
    down = wait_for("line1 shown not ok", cli.lines, lambda lines: lines[LINE1]["state"] != "ok")
    assert down[LINE2]["state"] == "ok", "the other line is not affected"
    waiting = cli.send(outside(21), "Queued while line 1 is unplugged", line=LINE1)
    assert cli.status(waiting) == "queued"
    assert not emulator.line("line1")["plugged"]

    emulator.command("replug", "line1", "--rename")  # as a tester types it
    assert emulator.line("line1")["tty"] != old_tty
    after = desk.wait_lines()
    assert after[LINE1]["id"] == before["id"], "the same line, found by identity"
    assert after[LINE1]["port"] == emulator.port("line1"), "the stable link, not /dev/pts/N"
    assert len(after) == 2
    assert cli.wait_status(waiting, DONE)["line"] == LINE1
    assert emulator.submitted_texts("line1")["Queued while line 1 is unplugged"] == 1

    emulator.inject("line1", outside(22), "Hello after the replug")
    [message] = cli.wait_inbox(1)
    assert (message["text"], message["line"]) == ("Hello after the replug", LINE1)

    # pulled for two seconds: it comes back by itself, again under another tty
    tty = emulator.line("line1")["tty"]
    emulator.command("unplug", "line1", "--for", "2", "--rename")
    wait_for("line1 shown not ok", cli.lines, lambda lines: lines[LINE1]["state"] != "ok")
    assert desk.wait_lines()[LINE1]["id"] == before["id"]
    assert emulator.line("line1")["tty"] != tty
    message_id = cli.send(outside(23), "Back after two seconds", line=LINE1)
    assert cli.wait_status(message_id, DONE)["line"] == LINE1


def test_kill_9_in_the_middle_of_40_sends_then_restart_sends_each_once_and_loses_none(
        make_desk: Callable[..., Desk]):
    desk = make_desk("--submit-delay", "0.05", start=False)
    emulator, cli = desk.emulator, desk.cli
    texts = {cli.send(outside(n), f"Queued message {n:02d}"): f"Queued message {n:02d}"
             for n in range(40)}

    def submissions() -> dict[str, list[float]]:
        """text -> when each submission of it reached the network (both lines)."""
        found: dict[str, list[float]] = {}
        for line in ("line1", "line2"):
            for record in emulator.submitted(line):
                found.setdefault(record["text"], []).append(record["time"])
        return found

    desk.daemon.start()
    wait_for("10 submissions", submissions, lambda sent: len(sent) >= 10, interval=0.01)
    desk.daemon.kill()
    restarted_at = time.time()
    assert len(submissions()) < 40, "the kill came in the middle of the queue"

    desk.daemon.start()
    rows = wait_for("nothing queued or sending", cli.outbox,
                    lambda rows: all(r["status"] not in ("queued", "sending") for r in rows),
                    timeout=30)
    assert {r["id"]: r["text"] for r in rows} == texts, "none lost"
    sent = submissions()
    assert all(len(times) == 1 for times in sent.values()), f"submitted twice: {sent}"
    for row in rows:
        times = sent.get(row["text"], [])
        if row["status"] == "unknown":  # may have gone out before the kill; never after
            assert all(t < restarted_at for t in times), f"an unknown message was resent: {row}"
        else:
            assert row["status"] in DONE and len(times) == 1, row

    unknown = [r for r in rows if r["status"] == "unknown"]
    for row in unknown:  # only an agent's decision sends them again
        cli.run("resend", str(row["id"]), "--operator", "alice", as_json=False)
    for row in unknown:
        cli.wait_status(row["id"], DONE)
        assert len(submissions()[row["text"]]) == len(sent.get(row["text"], [])) + 1


def test_sigterm_during_a_slow_send_finishes_the_part_and_exits_0(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    emulator.call("fault", line="line1", kind="slow", seconds=1.5)
    text = "Finished before stopping"
    message_id = cli.send(outside(31), text, line=LINE1)
    wait_for("the part in flight", lambda: cli.show(message_id),
             lambda m: m["part_list"][0]["status"] == "sending", interval=0.02)
    started = time.monotonic()
    assert desk.daemon.terminate() == 0, desk.daemon.log_tail()
    assert time.monotonic() - started < 15
    assert cli.status(message_id) in DONE
    assert emulator.submitted_texts("line1")[text] == 1


def test_sigterm_between_parts_stops_after_the_part_and_the_rest_follows_on_restart(
        desk: Desk):
    emulator, cli, daemon = desk.emulator, desk.cli, desk.daemon
    emulator.call("fault", line="line1", kind="slow", seconds=1.0)
    message_id = cli.send(outside(32), LONG_TEXT, line=LINE1)
    wait_for("part 1 in flight", lambda: cli.show(message_id),
             lambda m: m["part_list"][0]["status"] == "sending", interval=0.02)
    assert daemon.terminate() == 0, daemon.log_tail()
    stopped = cli.show(message_id)
    assert stopped["status"] == "queued", stopped
    assert [p["status"] for p in stopped["part_list"]] == ["sent", "queued", "queued"]

    emulator.call("fault", line="line1", kind="clear")
    daemon.start()
    delivered = cli.wait_status(message_id, "delivered")
    assert delivered["line"] == LINE1, "the other parts follow from the same number"
    records = [r for r in emulator.submitted("line1") if r["to"] == outside(32)]
    assert [r["concat"]["sequence"] for r in records] == [1, 2, 3]
    assert len({r["concat"]["reference"] for r in records}) == 1
    assert not emulator.submitted("line2")


def _pin_tries(port: str) -> bytes:
    """Ask the SIM itself (the daemon is stopped): AT+CPINR."""
    with serial.Serial(port, timeout=0.1) as link:
        link.reset_input_buffer()
        link.write(b"AT+CPINR\r")
        deadline, answer = time.monotonic() + 5, b""
        while time.monotonic() < deadline and not answer.rstrip().endswith((b"OK", b"ERROR")):
            answer += link.read(link.in_waiting or 1)
    return answer


def test_a_wrong_pin_is_entered_once_even_across_restarts_and_the_other_line_works(
        make_desk: Callable[..., Desk]):
    desk = make_desk("--pin", "1234", modems=[{"port": "PORT/line1", "pin": "0000"},
                                               {"port": "PORT/line2", "pin": "1234"}])
    emulator, cli, daemon = desk.emulator, desk.cli, desk.daemon
    iccid1, iccid2 = (line["iccid"] for line in emulator.announced["lines"])
    wanted = {iccid1: "pin_rejected", iccid2: "ok"}
    lines = desk.wait_lines(wanted, key="iccid")
    assert "PIN" in (lines[iccid1]["reason"] or ""), lines[iccid1]
    message_id = cli.send(outside(41), "Line 2 keeps working", line=LINE2)
    assert cli.wait_status(message_id, DONE)["line"] == LINE2

    assert daemon.terminate() == 0
    daemon.start()
    desk.wait_lines(wanted, key="iccid")
    message_id = cli.send(outside(42), "Still working after the restart", line=LINE2)
    assert cli.wait_status(message_id, DONE)["line"] == LINE2
    assert daemon.terminate() == 0, daemon.log_tail()

    entered = emulator.transcript_text("line1").count('AT+CPIN="')
    assert entered == 1, f"the PIN was entered {entered} times"
    assert b"+CPINR: SIM PIN,2,3" in _pin_tries(emulator.port("line1"))
