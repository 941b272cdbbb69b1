"""The terminal desk with the real daemon against the emulator, driven by Textual's
pilot: what the customers and the daemon do shows up without a key press."""

from __future__ import annotations

import asyncio
import re

from click.testing import CliRunner

from modemd.cli import main

from .conftest import LINE1, Desk, outside
from .support import one_line, running, type_text, until


def test_a_customers_text_appears_without_a_key_press(desk: Desk):
    customer = outside(1)

    async def scenario() -> str:
        async with running(desk.cli.db) as pilot:
            desk.emulator.inject("line1", customer, "Is the shop open on Sunday?")
            return await until(pilot, "the text in the list and its thread open",
                               lambda t: "← Is the shop open" in t and
                               "Is the shop open on Sunday?" in t)

    assert f"╭─ {customer}" in asyncio.run(scenario()), "nothing was open: it opens"


def test_it_opens_at_the_oldest_unread_and_a_reply_gets_its_delivered_tick(desk: Desk):
    first, second = outside(2), outside(3)
    desk.emulator.inject("line1", first, "Where is my parcel?")
    desk.cli.wait_inbox(1)
    desk.emulator.inject("line2", second, "Hello?")
    desk.cli.wait_inbox(2)

    async def scenario() -> tuple[str, str]:
        async with running(desk.cli.db) as pilot:
            opened = await until(pilot, "the oldest unread open",
                                 lambda t: f"╭─ {first}" in t)
            await type_text(pilot, "It left our depot today")
            await pilot.press("enter")
            return opened, await until(pilot, "the delivered tick",
                                       lambda t: "✓✓ delivered" in t)

    opened, delivered = asyncio.run(scenario())
    assert "Where is my parcel?" in opened
    assert f"{second} (1)" in opened, "the other one: unread, counted"
    assert "It left our depot today" in delivered
    [reply] = desk.cli.outbox(peer=first)
    assert (reply["text"], reply["status"], reply["line"]) == (
        "It left our depot today", "delivered", LINE1)
    unread = {m["peer"] for m in desk.cli.run("inbox", "--unread")}
    assert unread == {second}, "opening the thread read it; the other waits"


def test_a_stop_greys_out_the_conversation_and_a_send_is_refused_with_its_reason(desk: Desk):
    customer = outside(4)
    desk.emulator.inject("line1", customer, "Hi")
    desk.cli.wait_inbox(1)

    async def scenario() -> tuple[str, str]:
        async with running(desk.cli.db) as pilot:
            await until(pilot, "the conversation open", lambda t: f"╭─ {customer}" in t)
            desk.emulator.inject("line1", customer, "STOP")
            stopped = await until(pilot, "the opt-out", lambda t: f"⊘ {customer}" in t
                                  and "opted out ← STOP" in t and "· opted out" in t)
            await type_text(pilot, "One more thing")
            await pilot.press("enter")
            return stopped, await until(pilot, "the refusal", lambda t: "Error:" in t)

    stopped, refused = asyncio.run(scenario())
    assert re.search(r"← \d\d:\d\d STOP", stopped), "the thread flags the keyword"
    cli = CliRunner().invoke(main, ["send", customer, "One more thing", "--db",
                                    str(desk.cli.db)])
    assert cli.exit_code == 1 and f"{customer} opted out (STOP)" in cli.stderr
    assert one_line(refused).count(cli.stderr.strip()) == 1, "the CLI's words"
    assert desk.cli.outbox(peer=customer) == [], "a refused send queues nothing"


def test_a_paused_line_shows_in_the_status_bar(desk: Desk):
    customer = outside(5)
    desk.emulator.call("fault", line="line1", kind="cms", code=330, count=1)  # no SMSC

    async def scenario() -> str:
        async with running(desk.cli.db, line=LINE1) as pilot:
            await pilot.press("slash", *customer, "enter")
            await type_text(pilot, "Your refund is on its way")
            await pilot.press("enter")
            return await until(pilot, "line1 paused", lambda t: "paused" in t)

    text = asyncio.run(scenario())
    assert f"{LINE1}: paused (+CMS ERROR: 330" in text
    assert "#1 queued" in text, "the send itself went through"
