"""The CLI of an agent who may not write the database: it goes through the daemon's API
socket, as that Unix user, and prints and exits as the CLI on the database itself does.

The agent is `nobody` with the daemon's group (root's here, as `modemd` is on the
appliance), so the socket (0660) lets them in while the database (0644, root's) stays
read-only to them. The command runs in a forked child that became that user: the
test's Python may live where `nobody` cannot read."""

from __future__ import annotations

import importlib
import json
import os
import pickle
import pwd
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from modemd.api.address import socket_path
from modemd.cli import main
from modemd.config import Config
from modemd.store import DaemonLock

from .conftest import Desk, outside, shared_desk, wait_for

AGENT = "nobody"


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def rig() -> Iterator[Desk]:
    with shared_desk("modemd-remote-") as (desk, _):
        desk.wait_lines()
        wait_for("the API socket", socket_path(Config(database=desk.cli.db)).is_socket)
        yield desk


def as_root(desk: Desk, *args: str) -> Ran:
    result = CliRunner().invoke(main, [*args, "--db", str(desk.cli.db)], env=desk.cli.env)
    return Ran(result.exit_code, result.stdout, result.stderr)


def as_agent(desk: Desk, *args: str) -> Ran:
    """`modemd ARGS` run by the agent: uid nobody, in the daemon's group (gid 0)."""
    user = pwd.getpwnam(AGENT)
    # imported here, lazy imports too: the child may not read the test's Python
    main.commands[args[0]]
    importlib.import_module("modemd.api.client")
    env = {**desk.cli.env, "USER": AGENT, "LOGNAME": AGENT, "HOME": "/"}
    readable, writable = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child)
        os.close(readable)
        os.setgroups([0])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)
        result = CliRunner().invoke(main, [*args, "--db", str(desk.cli.db)], env=env)
        with os.fdopen(writable, "wb") as pipe:
            pickle.dump(Ran(result.exit_code, result.stdout, result.stderr), pipe)
        os._exit(0)
    os.close(writable)
    with os.fdopen(readable, "rb") as pipe:
        ran = pickle.load(pipe)
    os.waitpid(child, 0)
    return ran


def test_the_agent_sends_as_themselves_and_reads_what_root_reads(rig: Desk) -> None:
    sent = as_agent(rig, "send", outside(1), "Your parcel left", "--json")
    assert sent.code == 0, sent
    queued = json.loads(sent.stdout)
    assert queued["status"] == "queued" and queued["peer"] == outside(1)
    delivered = rig.cli.wait_status(queued["id"], "delivered")
    assert delivered["operator"] == AGENT  # the kernel's word, not the command line's
    for command in (("outbox", "--json"), ("show", str(queued["id"]), "--json"),
                    ("outbox",), ("conversations", "--json")):
        assert as_agent(rig, *command) == as_root(rig, *command), command
    status = json.loads(as_agent(rig, "status", "--json").stdout)
    assert [line["own_number"] for line in status["lines"]] == [
        line["own_number"] for line in json.loads(as_root(rig, "status", "--json").stdout)["lines"]]
    assert status["daemon"]["state"] == "running"


def test_acting_for_another_agent_is_refused_with_exit_1_and_queues_nothing(rig: Desk) -> None:
    refused = as_agent(rig, "send", outside(2), "hi", "--operator", "bob")
    assert refused.code == 1 and refused.stdout == ""
    assert refused.stderr == (f"Error: {AGENT} may not act for 'bob': only root and the "
                              "daemon's user may pass another agent as operator\n")
    assert rig.cli.outbox() == []
    assert as_agent(rig, "show", "999") == as_root(rig, "show", "999")
    assert as_agent(rig, "show", "999").code == 1


def test_reply_thread_claim_and_release_through_the_socket(rig: Desk) -> None:
    rig.emulator.inject("line2", outside(3), "Where is my order?")
    inbound, = rig.cli.wait_inbox(1)
    claimed = as_agent(rig, "claim", outside(3))
    assert (claimed.code, claimed.stdout) == (0, f"{outside(3)}: claimed by {AGENT}\n")
    refused = as_root(rig, "reply", str(inbound["id"]), "root here", "--operator", "alice")
    assert refused.code == 1 and f"claimed by {AGENT}" in refused.stderr
    replied = as_agent(rig, "reply", str(inbound["id"]), "On its way")
    assert replied.code == 0, replied
    rig.cli.wait_status(int(replied.stdout), "delivered")
    thread = as_agent(rig, "thread", outside(3), "--json")
    assert thread == as_root(rig, "thread", outside(3), "--keep-unread", "--json")
    assert json.loads(thread.stdout)[0]["read_at"] is not None  # opening it read it
    released = as_agent(rig, "release", outside(3))
    assert (released.code, released.stdout) == (0, f"{outside(3)}: released\n")


def test_with_the_daemon_stopped_the_agent_is_told_why_and_nothing_is_queued(rig: Desk) -> None:
    assert rig.daemon.terminate() == 0
    refused = as_agent(rig, "send", outside(4), "hi")  # after the grace a restart gets
    assert refused.code == 1 and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith(
        "Error: this needs the daemon, and its API cannot be reached (no socket at "
        f"/run/modemd/api.sock or {rig.cli.db}.api.sock): is `modemd run` running")
    assert "Without it this user may not work on the database: the " in refused.stderr
    assert as_root(rig, "outbox", "--json").stdout == "[]\n"
    queued = as_root(rig, "send", outside(4), "hi")  # root works on the database itself
    assert queued.code == 0, queued


def test_a_send_while_the_daemon_starts_waits_for_it(rig: Desk) -> None:
    assert rig.daemon.terminate() == 0
    rig.daemon.start()  # the agent's send comes as soon as it holds the database's lock
    wait_for("the daemon's lock", lambda: DaemonLock.held(rig.cli.db), interval=0.005)
    sent = as_agent(rig, "send", outside(5), "Back in a moment")
    assert sent.code == 0, sent
    assert rig.cli.wait_status(int(sent.stdout), "delivered")["operator"] == AGENT
