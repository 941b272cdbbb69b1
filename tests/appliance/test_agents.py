"""Agents on the appliance: users in group modemd, who may read the database but not
write it. Their commands go through the daemon's API socket, where the kernel says
who they are: they send as themselves, and may not act for another agent. Root and
the user modemd write the database itself and may name any operator."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime, timedelta

from .conftest import AGENT, DONE, STATE, Appliance

DB = f"{STATE}/modemd.db"
PEER = "+12015550102"  # the rig's second line
WRITE = ("import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('create table alice(x)')")
TABLES = ("import sqlite3, sys; print(sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True)"
          ".execute(\"select count(*) from sqlite_master where name = 'alice'\").fetchone()[0])")


def run(appliance: Appliance, command: str, user: str | None = AGENT):
    """A shell command in the container, as the agent (or root: user None), unchecked."""
    return appliance.machine.sh(f"cd / && {command}", user=user, check=False)


def shown(appliance: Appliance, message_id: int) -> dict:
    return appliance.cli("show", str(message_id), user=None)


def outboxes(appliance: Appliance) -> tuple[list, list]:
    """Root's and the agent's `outbox --json`, read while root's stayed the same (the
    daemon changes statuses as it sends)."""
    def read() -> tuple[list, list, list]:
        return (appliance.cli("outbox", user=None), appliance.cli("outbox"),
                appliance.cli("outbox", user=None))

    before, agent, _ = appliance.wait("root's outbox to hold still", read,
                                      lambda seen: seen[0] == seen[2], timeout=20)
    return before, agent


def test_an_agent_is_in_group_modemd_and_may_read_but_not_write_the_database(
        appliance: Appliance):
    assert "modemd" in run(appliance, "id -nG").stdout.split()
    assert run(appliance, f"test -r {DB}").returncode == 0
    assert run(appliance, f"test -w {DB}").returncode == 1
    assert run(appliance, f"test -w {STATE}").returncode == 1
    wrote = run(appliance, f"python3 -c {shlex.quote(WRITE)} {DB}")
    assert wrote.returncode == 1 and "sqlite3.OperationalError" in wrote.stderr, wrote
    assert run(appliance, f"python3 -c {shlex.quote(TABLES)} {DB}", user=None
               ).stdout.strip() == "0", "the database is as it was"


def test_an_agent_sends_as_themselves_through_the_api(appliance: Appliance):
    text = "Hi from alice, through the API"
    sent = run(appliance, f"modemd send {PEER} {shlex.quote(text)}")
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.strip().isdigit(), sent
    message_id = int(sent.stdout)
    assert shown(appliance, message_id)["operator"] == AGENT, "the kernel's name for her"
    assert appliance.wait_status(message_id) in DONE
    assert appliance.submitted(text) == 1


def test_an_agent_may_not_act_for_another_agent_and_queues_nothing(appliance: Appliance):
    text = "Alice pretending to be bob"
    refused = run(appliance, f"modemd send --operator bob {PEER} {shlex.quote(text)}")
    assert refused.returncode == 1, refused
    assert refused.stdout == ""
    assert len(refused.stderr.splitlines()) == 1, refused.stderr
    assert refused.stderr.startswith(f"Error: {AGENT} may not act for 'bob'"), refused.stderr
    assert text not in [row["text"] for row in appliance.cli("outbox", user=None)]
    assert appliance.submitted(text) == 0


def test_root_and_the_user_modemd_write_directly_and_may_name_the_operator(
        appliance: Appliance):
    by_root = run(appliance, f"modemd send --operator bob {PEER} 'Root for bob'", user=None)
    assert by_root.returncode == 0, by_root.stderr
    by_modemd = run(appliance, f"runuser -u modemd -- modemd send --operator carol {PEER} "
                    "'The daemon user for carol'", user=None)
    assert by_modemd.returncode == 0, by_modemd.stderr
    for done, operator in ((by_root, "bob"), (by_modemd, "carol")):
        message_id = int(done.stdout)
        assert shown(appliance, message_id)["operator"] == operator
        assert appliance.wait_status(message_id) in DONE


def test_an_agent_s_outbox_is_root_s_and_her_cancel_goes_through(appliance: Appliance):
    later = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%MZ")
    scheduled = appliance.cli("send", "--at", later, PEER, "Scheduled by alice")
    assert scheduled["status"] == "scheduled", scheduled
    root, agent = outboxes(appliance)
    assert agent == root
    assert scheduled["id"] in [row["id"] for row in agent]
    cancelled = run(appliance, f"modemd cancel {scheduled['id']}")
    assert cancelled.returncode == 0, cancelled.stderr
    assert shown(appliance, scheduled["id"])["status"] == "cancelled"
    listed = json.loads(run(appliance, "modemd outbox --json --status cancelled").stdout)
    assert scheduled["id"] in [row["id"] for row in listed]
