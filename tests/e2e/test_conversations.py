"""Conversations end to end: customers text the emulated lines, the daemon process records
them, and agents (real `modemd` processes, --operator alice and bob) list conversations,
open threads (read), claim and release them, and are refused, forced through or warned
by the two-agent rules."""

from __future__ import annotations

import re
import subprocess
import time

from .conftest import LINE1, Desk, modemd_argv, outside, wait_for

PACE = 1.1  # [pace] per_agent_seconds is 1 s: one agent's consecutive sends wait that long


def agent(desk: Desk, *args: str) -> subprocess.CompletedProcess:
    """`modemd ARGS --db DB` as an agent types it, whatever its exit code."""
    return subprocess.run(modemd_argv(*args, "--db", str(desk.cli.db)), capture_output=True,
                          text=True, timeout=30, check=False)


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done
    return done.stdout


def refused(done: subprocess.CompletedProcess) -> str:
    """Exit 1, nothing on stdout, one line on stderr: that line."""
    assert (done.returncode, done.stdout) == (1, ""), done
    [line] = done.stderr.splitlines()
    return line


def conversation(desk: Desk, peer: str, *options: str) -> dict | None:
    rows = desk.cli.run("conversations", *options)
    return next((row for row in rows if row["peer"] == peer), None)


def test_unread_until_an_agent_opens_the_thread(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    customer, quiet = outside(60), outside(61)
    emulator.inject("line1", customer, "Hi, where is my order?")
    emulator.inject("line1", customer, "Hello??")
    emulator.inject("line2", quiet, "Just saying thanks")
    cli.wait_inbox(2, peer=customer)
    cli.wait_inbox(1, peer=quiet)
    ok(agent(desk, "contact", "add", customer, "Grace Hopper"))

    grace = conversation(desk, customer)
    assert (grace["contact"], grace["unread"], grace["last_direction"], grace["last_text"],
            grace["line"], grace["claimed_by"], grace["opted_out"]) == (
        "Grace Hopper", 2, "in", "Hello??", LINE1, None, False)
    listing = ok(agent(desk, "conversations"))
    assert re.search(r"Grace Hopper .*← received .*Hello\?\? .* 2 ", listing), listing
    unread = {m["text"] for m in cli.run("inbox", "--unread") if m["peer"] == customer}
    assert unread == {"Hi, where is my order?", "Hello??"}

    kept = ok(agent(desk, "thread", "grace hopper", "--keep-unread"))
    assert "Hi, where is my order?" in kept and "Hello??" in kept
    assert conversation(desk, customer)["unread"] == 2, "--keep-unread marks nothing read"

    read = ok(agent(desk, "thread", customer))
    assert "Hello??" in read
    assert conversation(desk, customer)["unread"] == 0
    assert all(m["read_at"] for m in cli.run("thread", customer) if m["direction"] == "in")
    assert [m["peer"] for m in cli.run("inbox", "--unread")] == [quiet]
    assert [row["peer"] for row in cli.run("conversations", "--unread")] == [quiet]


def test_a_claimed_conversation_is_refused_to_other_agents_unless_forced(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    customer = outside(62)
    emulator.inject("line2", customer, "Can someone help me?")
    [question] = cli.wait_inbox(1, peer=customer)
    ok(agent(desk, "contact", "add", customer, "Ada"))
    assert ok(agent(desk, "claim", "ada", "--operator", "alice")) == (
        f"{customer} (Ada): claimed by alice\n")
    held = conversation(desk, customer)
    assert held["claimed_by"] == "alice"

    before = len(cli.outbox())
    said = refused(agent(desk, "send", customer, "Bob here", "--operator", "bob"))
    assert re.fullmatch(rf"Error: the conversation with \{customer} \(Ada\) is claimed by "
                        r"alice since \d\d:\d\d: nothing queued; ask alice to release it, or "
                        r"add --force", said), said
    assert refused(agent(desk, "reply", str(question["id"]), "Bob here",
                         "--operator", "bob")) == said
    assert len(cli.outbox()) == before, "a refused send or reply queues nothing"

    forced = int(ok(agent(desk, "reply", str(question["id"]), "Bob here, forced",
                          "--operator", "bob", "--force")))
    assert cli.wait_status(forced, "delivered")["line"] == "+12015550102"  # where she wrote
    [force] = [a for a in cli.run("audit", "--peer", customer) if a["action"] == "force"]
    assert (force["operator"], force["message_id"]) == ("bob", forced)
    assert re.fullmatch(r"sent over alice's claim \(since 20\S+Z\)", force["detail"]), force
    assert conversation(desk, customer)["claimed_by"] == "alice", "a forced text claims nothing"

    assert "not by bob" in refused(agent(desk, "release", customer, "--operator", "bob"))
    assert [r["peer"] for r in cli.run("conversations", "--mine", "--operator", "alice")] == [
        customer]
    assert cli.run("conversations", "--mine", "--operator", "bob") == []
    assert ok(agent(desk, "release", customer, "--operator", "bob", "--force")) == (
        f"{customer} (Ada): released (alice's)\n")
    assert conversation(desk, customer)["claimed_by"] is None
    actions = [(a["action"], a["operator"]) for a in cli.run("audit", "--peer", customer)]
    assert actions[0] == ("release", "bob") and ("claim", "alice") in actions
    time.sleep(PACE)
    assert ok(agent(desk, "send", customer, "Bob again", "--operator", "bob")).strip()


def test_two_agents_texting_one_contact_within_a_minute_both_go_with_a_warning(desk: Desk):
    emulator, cli = desk.emulator, desk.cli
    customer = outside(63)
    first = agent(desk, "send", customer, "Alice: your parcel left", "--operator", "alice")
    assert first.stderr == ""
    second = agent(desk, "send", customer, "Bob: your parcel shipped", "--operator", "bob")
    assert second.returncode == 0, second
    assert re.fullmatch(rf"Warning: alice texted \{customer} \d+ s ago; yours is queued too\n",
                        second.stderr), second.stderr
    ids = [int(first.stdout), int(second.stdout)]  # stdout: the id alone, as always
    for message_id in ids:
        cli.wait_status(message_id, "delivered")
    texts = wait_for("both texts on the air",
                     lambda: [r["text"] for line in ("line1", "line2")
                              for r in emulator.submitted(line) if r["to"] == customer],
                     lambda seen: len(seen) == 2)
    assert sorted(texts) == ["Alice: your parcel left", "Bob: your parcel shipped"]
