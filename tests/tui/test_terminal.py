"""`modemd desk` in a real terminal (tmux, 80x24): it starts, draws, takes keys and
quits; with NO_COLOR it draws without colours. Skipped without tmux, unless
MODEMD_REQUIRE_INTEROP=1 (CI), which makes that a failure."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from modemd.cli import main
from tests.required import tool

GRACE = "+14155550123"


def tmux() -> str:
    return tool("tmux", "tmux")


def pane(session: str, *, escapes: bool = False) -> str:
    done = subprocess.run([tmux(), "capture-pane", "-p", *(["-e"] if escapes else []),
                           "-t", session], capture_output=True, text=True, check=True)
    return done.stdout


def until(session: str, what: str, seen: Callable[[str], bool], timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        text = pane(session)
        if seen(text):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not in the pane within {timeout:.0f} s:\n{text}")
        time.sleep(0.05)


@pytest.fixture
def terminal(tmp_path: Path):
    """start(env) -> a tmux session running `modemd desk` on a database with one sent
    message; killed afterwards."""
    db = tmp_path / "modemd.db"
    sent = CliRunner().invoke(main, ["send", GRACE, "Your order left today", "--db", str(db)])
    assert sent.exit_code == 0, sent.output
    names: list[str] = []

    def start(**env: str) -> str:
        name = f"modemd-desk-{os.getpid()}-{len(names)}"
        names.append(name)
        settings = " ".join(f"{k}={shlex.quote(v)}" for k, v in {
            "MODEMD_CONFIG": os.environ["MODEMD_CONFIG"], "TERM": "xterm-256color",
            **env}.items())
        command = (f"env {settings} {shlex.quote(sys.executable)} -m modemd desk --db "
                   f"{shlex.quote(str(db))}; echo DESK-EXITED $?; sleep 30")
        subprocess.run([tmux(), "new-session", "-d", "-s", name, "-x", "80", "-y", "24",
                        command], check=True)
        return name

    yield start
    for name in names:
        subprocess.run([tmux(), "kill-session", "-t", name], capture_output=True, check=False)


def test_it_draws_takes_keys_and_quits_in_a_real_terminal(terminal):
    started = time.monotonic()
    session = terminal()
    drawn = until(session, "the desk drawn", lambda t: "q Quit" in t and GRACE in t)
    took = time.monotonic() - started
    assert "◷ queued" in drawn and "Your order left today" in drawn
    assert len(drawn.splitlines()) <= 24 and max(map(len, drawn.splitlines())) <= 80
    assert took < 5, f"drawn after {took:.1f} s"  # under a second on a desk machine
    subprocess.run([tmux(), "send-keys", "-t", session, "?"], check=True)
    until(session, "the keys screen", lambda t: "these keys" in t)
    subprocess.run([tmux(), "send-keys", "-t", session, "Escape"], check=True)
    until(session, "the keys screen closed", lambda t: "these keys" not in t)
    subprocess.run([tmux(), "send-keys", "-t", session, "q"], check=True)
    until(session, "the desk quit", lambda t: "DESK-EXITED 0" in t)


def colours(painted: str) -> set[str]:
    """The colours the pane's SGR sequences set (38/48: 256-colour or RGB; 30-37, 40-47,
    90-97, 100-107: the 16); the defaults (39, 49) are no colour."""
    found = set()
    for sgr in re.findall(r"\x1b\[([\d;]*)m", painted):
        codes = [int(c) for c in sgr.split(";") if c]
        index = 0
        while index < len(codes):
            code = codes[index]
            if code in (38, 48):
                width = 3 if codes[index + 1:index + 2] == [5] else 5
                found.add(";".join(map(str, codes[index:index + width])))
                index += width
                continue
            if 30 <= code <= 37 or 40 <= code <= 47 or 90 <= code <= 97 or 100 <= code <= 107:
                found.add(str(code))
            index += 1
    return found


def test_no_color_draws_without_a_colour(terminal):
    """NO_COLOR: not one colour is set; the open conversation is underlined and trouble
    in reverse, and every mark carries a word, so nothing is lost."""
    plain = terminal()
    until(plain, "the desk drawn", lambda t: "q Quit" in t and GRACE in t)
    assert colours(pane(plain, escapes=True)), "in colour without NO_COLOR"
    session = terminal(NO_COLOR="1")
    drawn = until(session, "the desk drawn", lambda t: "q Quit" in t and GRACE in t)
    painted = pane(session, escapes=True)
    assert colours(painted) == set()
    assert re.search(r"\x1b\[[\d;]*\b4m\s*" + re.escape(GRACE), painted), "open one underlined"
    assert "not running" in drawn and re.search(r"\x1b\[[\d;]*\b7mDaemon: not running", painted)
