"""api/follow.py on a Local desk: events as another writer commits them, woken by the
nudge rather than the safety re-read, and halt() ending the follow at once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from modemd import config as configuration
from modemd.api.follow import SAFETY_SECONDS, follow, halt
from modemd.api.reach import reach
from modemd.cli import main


@pytest.fixture(autouse=True)
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sends faster than an agent may: the pace limits off, as in a lab."""
    config = tmp_path / "lab.toml"
    config.write_text("[pace]\nenabled = false\n")
    monkeypatch.setenv("MODEMD_CONFIG", str(config))
    monkeypatch.delenv("MODEMD_DB", raising=False)


def send(db: Path, text: str) -> None:
    done = CliRunner().invoke(main, ["send", "+14155550123", text, "--db", str(db)])
    assert done.exit_code == 0, done.output


def test_follow_yields_what_another_writer_commits_and_halt_ends_it(tmp_path: Path):
    db = tmp_path / "modemd.db"
    send(db, "before")  # not followed: only new events
    seen: list[dict] = []
    got, began, stop = threading.Event(), threading.Event(), threading.Event()
    with reach(configuration.load(None, db=str(db))) as desk:
        def run() -> None:
            for event in follow(desk, None, stop=stop, ready=began.set):
                seen.append(event)
                got.set()

        follower = threading.Thread(target=run)
        follower.start()
        assert began.wait(5)
        sent_at = time.monotonic()
        send(db, "after")
        assert got.wait(5)
        assert time.monotonic() - sent_at < SAFETY_SECONDS, "woken by the nudge"
        halted_at = time.monotonic()
        halt(desk, stop)
        follower.join(5)
        assert not follower.is_alive()
        assert time.monotonic() - halted_at < 1.0, "halt wakes the listener"
    assert [(e["event"], e["message"]["text"]) for e in seen] == [("status", "after")]


def test_follow_after_an_event_replays_what_came_later(tmp_path: Path):
    db = tmp_path / "modemd.db"
    for text in ("one", "two", "three"):
        send(db, text)
    stop = threading.Event()
    with reach(configuration.load(None, db=str(db))) as desk:
        events = follow(desk, 1, stop=stop)
        texts = [next(events)["message"]["text"] for _ in range(2)]
        events.close()
    assert texts == ["two", "three"]
