"""Scheduled messages and cancelling, end to end: `modemd send --at` against the real
daemon process and the emulated lines, across a daemon restart and while the daemon is
stopped; `modemd cancel` of what no line took, and its refusal for what went out."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime, timedelta

from .conftest import LINE1, Cli, Desk, modemd_argv, outside, wait_for


def schedule(cli: Cli, to: str, text: str, seconds: float, *, local: bool = False,
             as_process: bool = False) -> tuple[int, datetime]:
    """`modemd send TO TEXT --at` seconds from now (as ISO with Z, or local without an
    offset) by agent ann; the id and the moment."""
    at = datetime.now(UTC) + timedelta(seconds=seconds)
    when = (at.astimezone().strftime("%Y-%m-%dT%H:%M:%S.%f") if local
            else at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    args = ("send", to, text, "--at", when, "--operator", "ann")
    answer = cli.process(*args) if as_process else cli.run(*args)
    assert (answer["status"], _moment(answer["scheduled_for"])) == ("scheduled", at), answer
    return int(answer["id"]), at


def send_now(cli: Cli, to: str, text: str, operator: str, *line: str) -> int:
    """A plain send; each agent its own name, so the pace per agent does not interfere."""
    answer = cli.run("send", to, text, "--operator", operator, *line)
    assert answer["status"] == "queued", answer
    return int(answer["id"])


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def to_peer(desk: Desk, peer: str) -> list[str]:
    """What the emulated network took for peer, from either line."""
    return [r["text"] for line in ("line1", "line2") for r in desk.emulator.submitted(line)
            if r["to"] == peer]


def delivered_after(cli: Cli, message_id: int, at: datetime, timeout: float = 20) -> dict:
    message = cli.wait_status(message_id, "delivered", timeout=timeout)
    assert _moment(message["sent_at"]) >= at, message
    return message


def cancel(cli: Cli, message_id: int, operator: str = "bob") -> subprocess.CompletedProcess:
    return subprocess.run(modemd_argv("cancel", str(message_id), "--operator", operator,
                                      "--db", str(cli.db)),
                          capture_output=True, text=True, timeout=30, check=False)


def test_a_scheduled_message_waits_for_its_time_then_goes_once(desk: Desk):
    cli, customer = desk.cli, outside(60)
    message_id, at = schedule(cli, customer, "Your appointment is tomorrow", 3, local=True)
    listed = cli.run("outbox", "--status", "scheduled", as_json=False)
    assert "SCHEDULED_FOR" in listed.splitlines()[0] and str(message_id) in listed
    assert cli.show(message_id)["scheduled_for"] is not None
    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds() - 1))
    assert cli.status(message_id) == "scheduled" and to_peer(desk, customer) == []
    delivered_after(cli, message_id, at)
    assert to_peer(desk, customer) == ["Your appointment is tomorrow"]


def test_a_scheduled_message_survives_a_restart_and_goes_once(desk: Desk):
    cli, daemon, customer = desk.cli, desk.daemon, outside(61)
    message_id, at = schedule(cli, customer, "Reminder: your parcel arrives today", 10,
                              as_process=True)
    assert daemon.terminate() == 0
    assert cli.status(message_id) == "scheduled"
    daemon.start()
    desk.wait_lines()
    assert datetime.now(UTC) < at, "the daemon must be back before the message's time"
    assert cli.status(message_id) == "scheduled" and to_peer(desk, customer) == []
    delivered_after(cli, message_id, at)
    time.sleep(1)  # a second timer, if there were one, would have fired by now
    assert to_peer(desk, customer) == ["Reminder: your parcel arrives today"]


def test_a_message_scheduled_while_the_daemon_is_stopped_goes_at_its_time(make_desk):
    desk = make_desk(start=False)
    cli, customer = desk.cli, outside(62)
    message_id, at = schedule(cli, customer, "Good morning", 6, as_process=True)
    desk.daemon.start()
    desk.wait_lines()
    delivered_after(cli, message_id, at)
    assert to_peer(desk, customer) == ["Good morning"]


def test_cancel_takes_back_a_scheduled_and_a_queued_message(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    later_peer, queued_peer = outside(63), outside(64)
    later, at = schedule(cli, later_peer, "This will never go", 3)
    emulator.call("fault", line="line1", kind="cms", code=330, count=1)  # no SMSC: pauses
    waiting = send_now(cli, queued_peer, "Nor will this", "dan", "--line", LINE1)
    wait_for("line1 paused and the message back in the queue",
             lambda: (cli.lines()[LINE1]["state"], cli.status(waiting)),
             lambda seen: seen == ("paused", "queued"))
    for message_id in (later, waiting):
        done = cancel(cli, message_id)
        assert (done.returncode, done.stdout, done.stderr) == (0, f"{message_id}\n", ""), done
        cancelled = cli.show(message_id)
        assert cancelled["status"] == "cancelled"
        assert {p["status"] for p in cancelled["part_list"]} == {"cancelled"}
    audit = cli.run("audit", "--operator", "bob")
    assert [(a["action"], a["message_id"]) for a in audit] == [("cancel", waiting),
                                                               ("cancel", later)]
    cli.run("resume", LINE1, as_json=False)
    after = send_now(cli, outside(65), "The line sends again", "eve", "--line", LINE1)
    cli.wait_status(after, "delivered")
    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds() + 1.5))
    assert (cli.status(later), cli.status(waiting)) == ("cancelled", "cancelled")
    assert to_peer(desk, later_peer) == [] and to_peer(desk, queued_peer) == []


def test_cancel_of_a_delivered_message_is_refused_in_one_line(desk: Desk):
    cli = desk.cli
    message_id = send_now(cli, outside(66), "Already on its way", "dan")
    cli.wait_status(message_id, "delivered")
    done = cancel(cli, message_id)
    assert (done.returncode, done.stdout) == (1, ""), done
    assert done.stderr == (f"Error: message {message_id} is delivered: only a scheduled or "
                           "queued message can be cancelled, before any part went out\n")
    assert cli.status(message_id) == "delivered"
    assert cli.run("audit", "--operator", "bob") == []
