"""Driving the terminal desk in a test: the app on a database through reach(), as
`modemd desk` runs it, and the screen read back as text lines from Textual's own
screenshot (the SVG it would save), so a test sees what an agent sees."""

from __future__ import annotations

import html
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from textual.pilot import Pilot

from modemd import config as configuration
from modemd.api.reach import reach
from modemd.tui.app import DeskApp
from modemd.tui.session import Session

_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', re.S)


@asynccontextmanager
async def running(db: Path, *, line: str | None = None, config: Path | None = None,
                  size: tuple[int, int] = (80, 24)) -> AsyncIterator[Pilot]:
    """The desk on db (config: the agents' TOML, else $MODEMD_CONFIG) in a headless
    terminal of size."""
    loaded = configuration.load(None if config is None else str(config), db=str(db))
    with reach(loaded, create=True) as desk:
        app = DeskApp(Session(desk, line))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            yield pilot


CELL = 12.2  # the screenshot's width of one terminal column


def screen(pilot: Pilot) -> list[str]:
    """The screen's rows as text, top to bottom, each span at its column."""
    rows: dict[float, dict[int, str]] = {}
    for x, y, text in _TEXT.findall(pilot.app.export_screenshot()):
        row = rows.setdefault(float(y), {})
        for offset, char in enumerate(html.unescape(text).replace("\xa0", " ")):
            row[round(float(x) / CELL) + offset] = char
    return ["".join(row.get(i, " ") for i in range(max(row) + 1)).rstrip()
            for _, row in sorted(rows.items())]


def shown(pilot: Pilot) -> str:
    return "\n".join(screen(pilot))


async def until(pilot: Pilot, what: str, seen: Callable[[str], bool],
                timeout: float = 20.0) -> str:
    """The screen text once seen(text) holds; fails with the screen as it was. Only
    the test waits: the app gets there by itself (no key is pressed meanwhile)."""
    deadline = time.monotonic() + timeout
    while True:
        text = shown(pilot)
        if seen(text):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not on screen within {timeout:.0f} s:\n{text}")
        await pilot.pause(0.1)


async def type_text(pilot: Pilot, text: str) -> None:
    """Click into the compose box and type text."""
    await pilot.click("#text")
    await pilot.press(*text)
    await pilot.pause()


def side(text: str) -> str:
    """The conversation list's column of the screen."""
    return "\n".join(row[:26] for row in text.splitlines()[2:])


def one_line(text: str) -> str:
    """The screen with its wrapped rows joined, as a long notice reads."""
    rows = [row.strip(" ▊▎│") for row in text.splitlines()]
    return " ".join(row for row in rows if row)
