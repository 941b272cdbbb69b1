"""`modemd watch --json` of an agent who may not write the database: it follows the
daemon's event stream over the API socket and prints what root's `watch --json` on the
database itself prints, line for line; across a daemon restart it says once that the
API went away, reconnects, and resumes after the last event it printed.

The agent is `nobody`, in none of root's groups: the database (root's, 0660) is not
theirs to write, and the test opens the socket (0660 as the daemon makes it) to
everyone after each start. Each watch runs in a forked child (that became that user):
the test's Python may live where `nobody` cannot read."""

from __future__ import annotations

import json
import os
import pwd
import select
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import modemd.cli.watch_cmd  # noqa: F401 (main loads it lazily: before the fork, as root)
from modemd.api.address import socket_path
from modemd.cli import main
from modemd.config import Config
from modemd.store import Store
from tests.api.peer import as_user

from .conftest import Desk, outside, shared_desk, wait_for

AGENT = "nobody"
AWAY = "Warning: the daemon's API went away; reconnecting\n"
EVENT_TIMEOUT = 20.0


class Follower:
    """`modemd watch --json --db DB ARGS` in a forked child, as root or as the agent;
    its stdout lines as they come, parsed."""

    def __init__(self, desk: Desk, lab: Path, *args: str, agent: bool) -> None:
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover (the child)
            _child(out_w, err_w, agent, lab, ["watch", "--json", "--db", str(desk.cli.db),
                                               *args])
        os.close(out_w)
        os.close(err_w)
        self.stdout, self.stderr = out_r, err_r
        self.pending = b""
        self.seen: list[dict] = []

    def until(self, what: str, wanted: Callable[[dict], bool]) -> list[dict]:
        """Every event printed up to the first one wanted (read on till it comes)."""
        deadline = time.monotonic() + EVENT_TIMEOUT
        while True:
            for index, event in enumerate(self.seen):
                if wanted(event):
                    return self.seen[:index + 1]
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.stdout], [], [], left)[0]:
                raise AssertionError(f"watch: no {what} within {EVENT_TIMEOUT:.0f} s; "
                                     f"it printed: {self.seen}")
            chunk = os.read(self.stdout, 65536)
            assert chunk, f"watch ended: {self.stop()}"
            self.pending += chunk
            *lines, self.pending = self.pending.split(b"\n")
            self.seen += [json.loads(line) for line in lines]

    def stop(self) -> tuple[int, str]:
        """SIGTERM; its exit code and what it said on stderr."""
        os.kill(self.pid, signal.SIGTERM)
        _, status = os.waitpid(self.pid, 0)
        with os.fdopen(self.stderr, "rb") as err:
            said = err.read().decode()
        os.close(self.stdout)
        return os.waitstatus_to_exitcode(status), said


def _child(out: int, err: int, agent: bool, lab: Path, args: list[str]) -> None:
    code = 70
    try:
        os.dup2(out, 1)
        os.dup2(err, 2)
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        os.environ["MODEMD_CONFIG"] = str(lab)
        if agent:
            user = pwd.getpwnam(AGENT)
            os.environ.update(USER=AGENT, LOGNAME=AGENT, HOME="/")
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
        try:
            main.main(args, prog_name="modemd")
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


@pytest.fixture
def rig() -> Iterator[tuple[Desk, Path]]:
    with shared_desk("modemd-watch-") as (desk, lab):
        started(desk)
        yield desk, lab


def started(desk: Desk) -> None:
    """Lines up, and the socket open to the agent (the daemon made it 0660)."""
    desk.wait_lines()
    path = socket_path(Config(database=desk.cli.db))
    wait_for("the API socket", path.is_socket)
    path.chmod(0o666)


@pytest.fixture
def followers() -> Iterator[list[Follower]]:
    started: list[Follower] = []
    yield started
    for follower in started:
        try:
            os.kill(follower.pid, signal.SIGKILL)
            os.waitpid(follower.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def inbound_from(peer: str) -> Callable[[dict], bool]:
    return lambda e: e["event"] == "inbound" and e["peer"] == peer


def delivered(message_id: int) -> Callable[[dict], bool]:
    return lambda e: (e["event"] == "status" and e["message"]["id"] == message_id
                      and e["message"]["status"] == "delivered")


def test_the_agent_s_watch_prints_root_s_events_and_resumes_across_a_restart(
        rig: tuple[Desk, Path], followers: list[Follower]) -> None:
    desk, lab = rig
    store = Store(desk.cli.db, create=False)
    try:
        start = store.events.last_id()
    finally:
        store.close()
    assert not as_user(AGENT, lambda: os.access(desk.cli.db, os.W_OK))
    followers += [Follower(desk, lab, "--after", str(start), agent=False),
                  Follower(desk, lab, "--after", str(start), agent=True)]
    local, remote = followers

    desk.emulator.inject("line1", outside(1), "Where is my order?")
    inbound = remote.until("the inbound", inbound_from(outside(1)))[-1]
    assert inbound["message"]["text"] == "Where is my order?" and inbound["event_id"] > start
    answer = desk.cli.run("reply", str(inbound["message"]["id"]), "Arriving today")
    assert remote.until("the delivery", delivered(answer["id"])) == \
        local.until("the delivery", delivered(answer["id"]))

    assert desk.daemon.terminate() == 0
    desk.daemon.start()
    started(desk)
    desk.emulator.inject("line2", outside(2), "And the invoice?")
    after_restart = remote.until("the inbound after the restart", inbound_from(outside(2)))
    assert after_restart == local.until("the same inbound", inbound_from(outside(2)))
    ids = [event["event_id"] for event in after_restart]
    assert ids == sorted(set(ids)) and ids[0] > start  # root's all, each once, in order
    assert {e["line"]["state"] for e in after_restart if e["event"] == "line"} >= \
        {"stopped", "ok"}  # the restart itself, as the database has it

    assert local.stop() == (0, "")
    assert remote.stop() == (0, AWAY)  # once, however many retries it took
