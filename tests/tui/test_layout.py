"""The terminal desk at a bigger size, by mouse, over a pace limit and with lines in
trouble: on a database with no daemon, driven by Textual's pilot."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from modemd.store import LineIdentity, LineState, Store

from .support import one_line, running, screen, shown, type_text, until
from .test_screen import GRACE, cli, cli_error

ALAN = "+14155550124"
LONG = ("Your parcel left our warehouse this morning and should reach you by Friday; "
        "the courier will text you a time window")


def test_it_fits_80x24_and_grows_with_the_terminal(tmp_path: Path):
    db = tmp_path / "modemd.db"
    cli("send", GRACE, LONG, db=db)

    async def at(size: tuple[int, int]) -> list[str]:
        async with running(db, size=size) as pilot:
            return screen(pilot)

    small, big = asyncio.run(at((80, 24))), asyncio.run(at((160, 48)))
    assert len(small) == 24 and max(map(len, small)) <= 80
    assert len(big) == 48 and max(map(len, big)) > 100
    shown_small = next(row for row in small if "Your parcel" in row)
    shown_big = next(row for row in big if "Your parcel" in row)
    assert "…" in shown_small.split("│")[0], "the list cuts the text at 80 columns"
    assert len(shown_big.split("│")[0].strip()) > len(shown_small.split("│")[0].strip())


def test_a_click_opens_a_conversation(tmp_path: Path):
    db = tmp_path / "modemd.db"
    cli("send", GRACE, "for Grace", db=db)
    cli("send", ALAN, "for Alan", db=db)  # the newest: the desk opens it

    async def scenario() -> tuple[str, str]:
        async with running(db) as pilot:
            before = shown(pilot)
            await pilot.click("#list", offset=(4, 3))  # the second conversation's row
            after = await until(pilot, "Grace's thread", lambda t: "─ " + GRACE in t)
            return before, after

    before, after = asyncio.run(scenario())
    assert "─ " + ALAN in before
    assert "─ " + GRACE in after


def test_a_pace_limit_is_refused_in_the_clis_words(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    paced = tmp_path / "paced.toml"
    paced.write_text("[pace]\nper_agent_seconds = 3600\n")
    monkeypatch.setenv("MODEMD_CONFIG", str(paced))
    db = tmp_path / "modemd.db"
    cli("send", GRACE, "hello", db=db)  # this agent's one send of the hour

    async def scenario() -> str:
        async with running(db) as pilot:
            await type_text(pilot, "one more")
            await pilot.press("enter")
            return await until(pilot, "the refusal", lambda t: "Error:" in t)

    refused = one_line(asyncio.run(scenario()))
    words = cli_error("send", GRACE, "one more", db=db)
    assert words.startswith("Error: pace: ")
    assert words.split(" may send again")[0] in refused  # the time left moves on
    assert [m["text"] for m in json.loads(cli("outbox", "--json", db=db))] == ["hello"]


def test_lines_offline_or_out_of_service_show_with_their_reasons(tmp_path: Path):
    db = tmp_path / "modemd.db"
    cli("send", GRACE, "hello", db=db)
    store = Store(db)
    try:
        for n, (state, reason) in enumerate([(LineState.OFFLINE, "the port is gone"),
                                              (LineState.NO_SERVICE, "not registered")], 1):
            identity = LineIdentity(iccid=f"890100000000000000{n}", imsi=f"31000000000000{n}",
                                    imei=f"35000000000000{n}", own_number=None)
            line = store.lines.register(identity, name=f"desk-{n}", port=f"/dev/ttyUSB{n}")
            store.lines.set_state(line, state, reason)
    finally:
        store.close()

    async def scenario() -> str:
        async with running(db, size=(120, 30)) as pilot:
            return shown(pilot)

    text = one_line(asyncio.run(scenario()))
    assert "desk-1: offline (the port is gone)" in text
    assert "desk-2: no service (not registered)" in text
