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


GREYS = {*range(232, 256), 0, 7, 8, 15, 16, 59, 102, 145, 188, 231}  # 256-colour greys


def hues(painted: str) -> set[str]:
    """The colours of the pane's SGR sequences that are not a shade of grey."""
    found = set()
    for sgr in re.findall(r"\x1b\[([\d;]*)m", painted):
        codes = [int(c) for c in sgr.split(";") if c]
        for i, code in enumerate(codes):
            if code in (38, 48) and codes[i + 1:i + 2] == [5] and codes[i + 2] not in GREYS:
                found.add(f"{code};5;{codes[i + 2]}")
            if code in (38, 48) and codes[i + 1:i + 2] == [2]:
                r, g, b = codes[i + 2:i + 5]
                if not r == g == b:
                    found.add(f"{code};2;{r};{g};{b}")
    return found


def test_no_color_draws_in_shades_of_grey(terminal):
    """Textual's NO_COLOR: the screen in monochrome; marks carry words, so nothing is lost."""
    plain = terminal()
    until(plain, "the desk drawn", lambda t: "q Quit" in t and GRACE in t)
    assert hues(pane(plain, escapes=True)), "in colour without NO_COLOR"
    session = terminal(NO_COLOR="1")
    until(session, "the desk drawn", lambda t: "q Quit" in t and GRACE in t)
    assert hues(pane(session, escapes=True)) == set()
