"""The terminal desk on a database with no daemon: what it shows and refuses, driven by
Textual's pilot. (tests/tui/test_live.py runs it with the daemon and the emulator.)"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from textual import events

from modemd.cli import main
from modemd.tui.app import DeskApp
from modemd.tui.widgets import KEYS

from .support import one_line, running, shown, side, type_text, until

GRACE = "+14155550123"


def cli(*args: str, db: Path) -> str:
    done = CliRunner().invoke(main, [*args, "--db", str(db)])
    assert done.exit_code == 0, done.output
    return done.stdout


def cli_error(*args: str, db: Path) -> str:
    """A refused command's one stderr line."""
    done = CliRunner().invoke(main, [*args, "--db", str(db)])
    assert done.exit_code == 1, done.output
    return done.stderr.strip()


def test_without_the_daemon_a_send_queues_and_says_so(tmp_path: Path):
    db = tmp_path / "modemd.db"
    cli("send", GRACE, "Your order left today", db=db)
    cli("contact", "add", GRACE, "Grace Hopper", db=db)

    async def scenario() -> str:
        async with running(db) as pilot:
            text = shown(pilot)
            assert "Grace Hopper" in text and "◷ queued" in text
            assert "Daemon: not running" in text and "sending still queues" in text
            await type_text(pilot, "Tracking: https://t.example/4711")
            await pilot.press("enter")
            return await until(pilot, "the queued reply", lambda t: "#2 queued" in t)

    text = one_line(asyncio.run(scenario()))
    assert "the daemon is not running: sending still queues" in text
    queued = json.loads(cli("outbox", "--json", db=db))
    assert [m["text"] for m in queued] == ["Tracking: https://t.example/4711",
                                           "Your order left today"]


def test_the_compose_box_shows_encoding_and_parts_as_you_type(tmp_path: Path):
    db = tmp_path / "modemd.db"
    cli("send", GRACE, "hello", db=db)

    async def scenario() -> list[str]:
        async with running(db) as pilot:
            seen = []
            await type_text(pilot, "Hi Grace")
            seen.append(shown(pilot))
            pilot.app.query_one("#text").post_message(events.Paste("x" * 160))
            await pilot.pause()
            seen.append(shown(pilot))
            await pilot.press("ł")  # not in GSM-7: the whole text goes UCS-2
            seen.append(shown(pilot))
            return seen

    short, long, wide = asyncio.run(scenario())
    assert "GSM-7 · 1 part · 8 chars" in short
    assert "GSM-7 · 2 parts · 168 chars" in long
    assert "UCS-2 · 3 parts · 169 chars" in wide


def test_question_mark_shows_every_key(tmp_path: Path):
    db = tmp_path / "modemd.db"
    cli("send", GRACE, "hello", db=db)

    async def scenario() -> tuple[str, str]:
        async with running(db) as pilot:
            await pilot.press("question_mark")
            keys = await until(pilot, "the keys screen", lambda t: "Keys" in t)
            await pilot.press("escape")
            await pilot.pause()
            return keys, shown(pilot)

    keys, after = asyncio.run(scenario())
    for key, does in KEYS:
        assert f"{key}  {does}" in keys
    bound = {b.key for b in DeskApp.BINDINGS if b.show}
    names = {"slash": "/", "question_mark": "?", "ctrl+s": "Ctrl-S"}
    assert {names.get(k, k) for k in bound} <= {key for key, _ in KEYS}
    assert "these keys" not in after


def test_slash_searches_contacts_and_text(tmp_path: Path):
    db = tmp_path / "modemd.db"
    cli("send", GRACE, "Your parcel is at the depot", db=db)
    cli("send", "+14155550124", "Invoice 77 attached", db=db)
    cli("contact", "add", "+14155550124", "Alan Turing", db=db)

    async def scenario() -> tuple[str, str, str]:
        async with running(db) as pilot:
            await pilot.press("slash", *"parcel")
            by_text = await until(pilot, "only Grace", lambda t: "Alan Turing" not in side(t))
            await pilot.press("escape", "slash", *"alan")
            by_name = await until(pilot, "only Alan", lambda t: GRACE not in side(t))
            await pilot.press("escape")
            await pilot.pause()
            return side(by_text), side(by_name), side(shown(pilot))

    by_text, by_name, cleared = asyncio.run(scenario())
    assert GRACE in by_text
    assert "Alan Turing" in by_name
    assert GRACE in cleared and "Alan Turing" in cleared


def test_claims_by_key_and_another_agents_claim_refuses_in_the_clis_words(tmp_path: Path):
    db = tmp_path / "modemd.db"
    cli("send", GRACE, "hello", db=db)

    async def scenario() -> tuple[str, str]:
        async with running(db) as pilot:
            await pilot.press("c")
            claimed = await until(pilot, "the claim", lambda t: "claimed by" in t)
            await pilot.press("r")
            released = await until(pilot, "the release", lambda t: "released" in t)
            return claimed, released

    claimed, released = asyncio.run(scenario())
    said = cli("claim", GRACE, db=db).strip()  # what the command says to the same agent
    assert said.startswith(f"{GRACE}: claimed by ") and said in one_line(claimed)
    said = cli("release", GRACE, db=db).strip()
    assert said == f"{GRACE}: released" and said in one_line(released)
    cli("claim", GRACE, "--operator", "bob", db=db)
    words = cli_error("send", GRACE, "over bob", db=db)

    async def refused() -> str:
        async with running(db) as pilot:
            await type_text(pilot, "over bob")
            await pilot.press("enter")
            return await until(pilot, "the refusal", lambda t: "Error:" in t)

    assert words.startswith("Error: the conversation with ")
    assert one_line(asyncio.run(refused())).count(words) == 1
    assert len(json.loads(cli("outbox", "--json", db=db))) == 1, "nothing queued"


def test_an_invalid_number_is_refused_in_the_clis_words(tmp_path: Path):
    db = tmp_path / "modemd.db"
    cli("send", GRACE, "hello", db=db)
    words = cli_error("send", "+1 555", "hi", db=db)

    async def scenario() -> str:
        async with running(db) as pilot:
            await pilot.press("slash", *"+1 555", "enter")
            return await until(pilot, "the refusal", lambda t: "Error:" in t)

    assert one_line(asyncio.run(scenario())).count(words) == 1


def test_an_unknown_line_stops_the_command_in_the_sends_words(tmp_path: Path):
    db = tmp_path / "modemd.db"
    cli("send", GRACE, "hello", db=db)
    done = CliRunner().invoke(main, ["desk", "--line", "nope", "--db", str(db)])
    assert done.exit_code == 1
    assert done.stderr == "Error: no line 'nope': `modemd status` lists the lines\n"


def test_ctrl_s_schedules_the_text_for_when_it_is_told(tmp_path: Path):
    db = tmp_path / "modemd.db"
    cli("send", GRACE, "hello", db=db)
    then = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%d 09:00")  # local time

    async def scenario() -> str:
        async with running(db) as pilot:
            await type_text(pilot, "Happy holidays")
            await pilot.press("ctrl+s", *then, "enter")
            return await until(pilot, "the scheduled text", lambda t: "#2 scheduled" in t)

    text = asyncio.run(scenario())
    assert f"⏲ scheduled for {then}" in text
    [later] = [m for m in json.loads(cli("outbox", "--json", db=db)) if m["id"] == 2]
    assert (later["text"], later["status"]) == ("Happy holidays", "scheduled")
