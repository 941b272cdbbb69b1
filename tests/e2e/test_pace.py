"""The pace limits end to end: `modemd send` as an agent runs it, against the daemon
process and the emulated lines, with a [pace] table of small limits. Each limit
refuses with exit 1, one line on stderr naming it and when it lifts, and nothing
queued; a customer who texted in always gets the reply; `enabled = false` lets the
same sends through."""

from __future__ import annotations

import getpass
import json
import os
import re
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta

from .conftest import LINE1, LINE2, Desk, modemd_argv, outside

AGENT = getpass.getuser()  # who `modemd send` says sends, without --operator


def send(desk: Desk, to: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        modemd_argv("send", to, f"Hello {to}", "--db", str(desk.cli.db), "--json", *options),
        capture_output=True, text=True, timeout=30, check=False,
        env={**os.environ, **desk.cli.env})


def sent(desk: Desk, to: str, *options: str) -> int:
    done = send(desk, to, *options)
    assert done.returncode == 0, done.stderr
    return int(json.loads(done.stdout)["id"])


def refused(desk: Desk, to: str, *options: str) -> str:
    """The one line on stderr, after checking the exit code and that nothing queued."""
    before = len(desk.cli.outbox())
    done = send(desk, to, *options)
    assert (done.returncode, done.stdout) == (1, ""), done
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("Error: pace: "), done.stderr
    assert len(desk.cli.outbox()) == before, "a refused send queues nothing"
    return done.stderr.removeprefix("Error: ").rstrip("\n")


def local(desk: Desk, message_id: int, later: timedelta) -> str:
    """HH:MM local of the message's time plus `later`; " tomorrow" when on the next day."""
    moment = (datetime.fromisoformat(desk.cli.show(message_id)["created_at"]) + later).astimezone()
    today = datetime.now(moment.tzinfo).date()
    return f"{moment:%H:%M}" + " tomorrow" * (moment.date() != today)


def delivered(desk: Desk, *message_ids: int) -> list[str]:
    """The line each went out on, once delivered."""
    return [desk.cli.wait_status(m, "delivered")["line"] for m in message_ids]


def answered(desk: Desk, customer: str, line: str) -> str:
    """The customer texts in on the emulator's line; the agent's reply goes out; the
    number of the line it went out on."""
    desk.emulator.inject(line, customer, "Is anyone there?")
    [question] = desk.cli.wait_inbox(1, peer=customer)
    done = subprocess.run(modemd_argv("reply", str(question["id"]), "Yes, here", "--db",
                                      str(desk.cli.db), "--json"),
                          capture_output=True, text=True, timeout=30, check=False,
                          env={**os.environ, **desk.cli.env})
    assert done.returncode == 0, done.stderr
    [line] = delivered(desk, int(json.loads(done.stdout)["id"]))
    return line


def test_per_agent_seconds_refuses_a_second_send_and_says_when(make_desk: Callable[..., Desk]):
    desk = make_desk(pace={"per_agent_seconds": 30})
    first = sent(desk, outside(1))
    text = refused(desk, outside(2))
    wait = re.fullmatch(rf"pace: at most one send per 30 s per agent \(per_agent_seconds\); "
                        rf"{re.escape(AGENT)} may send again in (\d+\.\d) s; nothing queued",
                        text)
    assert wait and 15 < float(wait[1]) <= 30, text
    other = sent(desk, outside(2), "--operator", "bob")  # each agent has its own interval
    delivered(desk, first, other)


def test_new_contacts_per_agent_hour_caps_first_texts_not_replies(
        make_desk: Callable[..., Desk]):
    desk = make_desk(pace={"per_agent_seconds": 0, "new_contacts_per_agent_hour": 2})
    first, second = sent(desk, outside(11)), sent(desk, outside(12))
    text = refused(desk, outside(13))
    assert text == (f"pace: {AGENT} has texted 2 new contacts in the last hour, the limit "
                    f"(new_contacts_per_agent_hour = 2); the next may go at "
                    f"{local(desk, first, timedelta(hours=1))} (in 1 h); replies to existing "
                    "conversations are not limited; nothing queued")
    follow_up = sent(desk, outside(11))  # they have heard from us: not a new contact
    delivered(desk, first, second, follow_up)
    assert answered(desk, outside(14), "line2") == LINE2


def test_new_contacts_per_line_day_spreads_first_texts_then_refuses(
        make_desk: Callable[..., Desk]):
    desk = make_desk(pace={"per_agent_seconds": 0, "new_contacts_per_line_day": 1})
    on_line1 = sent(desk, outside(21), "--line", LINE1)
    text = refused(desk, outside(22), "--line", LINE1)
    assert text == (f"pace: line {LINE1} has texted 1 new contacts in the last 24 h, its "
                    f"limit (new_contacts_per_line_day = 1); it may text another at "
                    f"{local(desk, on_line1, timedelta(days=1))} (in 24 h), or send "
                    "without --line to use another line; replies to existing conversations "
                    "are not limited; nothing queued")
    elsewhere = sent(desk, outside(22))  # pinned to the line with room
    assert delivered(desk, on_line1, elsewhere) == [LINE1, LINE2]
    text = refused(desk, outside(23), "--operator", "bob")
    assert text.startswith("pace: every line has texted 1 new contacts in the last 24 h "
                           "(new_contacts_per_line_day = 1); the first may text another at "
                           f"{local(desk, on_line1, timedelta(days=1))} (in 24 h)")
    assert answered(desk, outside(24), "line1") == LINE1  # at its cap for first texts


def test_enabled_false_lets_the_same_sends_through(make_desk: Callable[..., Desk]):
    desk = make_desk(pace={"enabled": False, "per_agent_seconds": 30,
                           "new_contacts_per_agent_hour": 1, "new_contacts_per_line_day": 1})
    ids = [sent(desk, outside(31), "--line", LINE1), sent(desk, outside(32), "--line", LINE1),
           sent(desk, outside(33)), sent(desk, outside(34))]
    assert delivered(desk, *ids)[:2] == [LINE1, LINE1]
    assert set(desk.emulator.submitted_texts("line1", "line2")) == {
        f"Hello {outside(n)}" for n in (31, 32, 33, 34)}
