"""The database on a full filesystem (a real small tmpfs): the daemon stops claiming and
leaves inbound messages on the SIM, `status` and the log say so, `send` refuses and
queues nothing, and all of it resumes by itself when space returns."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from store.dbfiles import fill, small_disk

from modemd.cli import main

from .conftest import LINE1, Cli, Daemon, Desk, Emulator, modemd_argv, outside, wait_for

SENDER = "+12015550177"


def test_a_full_disk_stops_the_daemon_safely_and_it_resumes_when_space_returns(
        tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", size="16m") as disk:
        db = disk / "modemd.db"
        emulator = Emulator(tmp_path / "emu", tmp_path / "emulator.log", ("--lines", "1"))
        daemon = Daemon(modemd_argv("run", "--db", str(db), "--port",
                                    str(tmp_path / "emu" / "line1")), tmp_path / "daemon.log")
        desk = Desk(emulator, daemon.start(), Cli(db))
        try:
            desk.wait_lines()
            _while_full_and_after(desk, fill(disk))
        finally:
            problems = desk.close()
        assert problems == []


def _while_full_and_after(desk: Desk, filler: Path) -> None:
    emulator, cli = desk.emulator, desk.cli
    emulator.inject("line1", SENDER, "Written while the disk was full")
    wait_for("the daemon says the disk is full", lambda: "is full" in desk.daemon.log_tail(),
             timeout=15)
    assert emulator.stored("line1") == 1  # not committed, so not deleted
    assert cli.inbox() == []
    assert cli.run("status")["database"]["full"] is True
    refused = CliRunner().invoke(main, ["send", outside(31), "no room", "--db", str(cli.db)])
    assert refused.exit_code == 1 and "is full" in refused.stderr
    assert "nothing was written" in refused.stderr

    filler.unlink()
    inbound = cli.wait_inbox(1, timeout=20)
    assert [(m["peer"], m["text"]) for m in inbound] == [
        (SENDER, "Written while the disk was full")]
    wait_for("the SIM emptied", lambda: emulator.stored("line1") == 0)
    assert cli.outbox() == []  # the refused send queued nothing
    sent = cli.send(outside(32), "Room again")
    cli.wait_status(sent, ("sent", "delivered"))
    assert emulator.submitted_texts("line1") == {"Room again": 1}
    assert cli.lines()[LINE1]["state"] == "ok"
    assert cli.run("status")["database"]["full"] is False
