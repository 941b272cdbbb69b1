"""Modems come and go while the daemon runs: `discover` globs, identity-bound settings,
a grace period, re-enumeration under a new name, and several AT ports of one modem.

The real daemon and the real emulator, as processes over ptys; the emulator is started
after the daemon, unplugged, renamed and stopped under it."""

from __future__ import annotations

import time
from pathlib import Path

from modemd.emulator.spec import LineSpec
from tests.e2e.conftest import (
    LINE1,
    LINE2,
    Cli,
    Daemon,
    Emulator,
    modemd_argv,
    outside,
    wait_for,
)

GRACE = 2.0


def config(folder: Path, globs: list[str], modems: str = "") -> Path:
    path = folder / "modemd.toml"
    path.write_text(f"database = \"{folder / 'modemd.db'}\"\n"
                    f"discover = {globs!r}\n".replace("'", '"')
                    + f"discover_grace_seconds = {GRACE}\nscan_seconds = 0.3\n"
                    + "monitor_seconds = 1\n" + modems)
    return path


def start_daemon(folder: Path, path: Path) -> Daemon:
    return Daemon(modemd_argv("run", "--config", str(path)), folder / "daemon.log").start()


def lines_by_name(cli: Cli) -> dict[str, dict]:
    return {line["name"]: line for line in cli.run("status")["lines"]}


def wait_states(cli: Cli, wanted: dict[str, str], timeout: float = 20.0) -> dict[str, dict]:
    return wait_for(f"lines {wanted}", lambda: lines_by_name(cli),
                    lambda lines: all(lines.get(n, {}).get("state") == s
                                      for n, s in wanted.items()), timeout=timeout)


def stop_all(daemon: Daemon, *emulators: Emulator) -> None:
    try:
        assert daemon.terminate() == 0, daemon.log_tail()
    finally:
        for emulator in emulators:
            emulator.stop()


def test_ports_that_appear_vanish_and_return_while_the_daemon_runs(tmp_path):
    emu = tmp_path / "emu"
    one, two = LineSpec.numbered(1), LineSpec.numbered(2)
    path = config(tmp_path, [f"{emu}/line*"],
                  f'[[modem]]\niccid = "{one.iccid}"\nname = "desk-1"\npin = "4321"\n'
                  f'[[modem]]\nimei = "{two.imei}"\nname = "desk-2"\npin = "4321"\n')
    daemon = start_daemon(tmp_path, path)
    cli = Cli(tmp_path / "modemd.db")
    wait_for("the daemon's database", (tmp_path / "modemd.db").exists)
    assert cli.run("status")["lines"] == []  # nothing plugged in yet, and it waits
    emulator = Emulator(emu, tmp_path / "emulator.log", ("--lines", "2", "--pin", "4321"))
    try:
        # name and PIN follow the hardware: by the SIM's ICCID, by the modem's IMEI
        lines = wait_states(cli, {"desk-1": "ok", "desk-2": "ok"})
        assert lines["desk-1"]["own_number"] == LINE1 and lines["desk-2"]["imei"] == two.imei
        talked = cli.send(outside(1), "hello from desk-2", line="desk-2")
        cli.wait_status(talked, "delivered")

        emulator.command("unplug", "line2")
        wait_states(cli, {"desk-2": "offline"}, timeout=GRACE + 10)
        gone = wait_for("the worker retired after the grace period", lambda: lines_by_name(cli),
                        lambda lines: "gone for" in (lines["desk-2"]["reason"] or ""),
                        timeout=GRACE + 10)
        assert gone["desk-1"]["state"] == "ok"
        pinned = cli.send(outside(2), "only from desk-2", line="desk-2")
        follow_up = cli.send(outside(1), "desk-2 is gone: any line will do")
        assert cli.wait_status(follow_up, "delivered")["line"] == LINE1
        assert cli.status(pinned) == "queued"  # pinned to the vanished line: it waits

        emulator.command("replug", "line2")
        wait_states(cli, {"desk-2": "ok"})
        assert cli.wait_status(pinned, "delivered")["line"] == LINE2
        assert emulator.submitted_texts("line1", "line2") == {
            "hello from desk-2": 1, "desk-2 is gone: any line will do": 1,
            "only from desk-2": 1}
    finally:
        emulator.stop()  # every port vanishes at once: the daemon keeps running
    wait_for("both workers retired", lambda: lines_by_name(cli),
             lambda lines: all("gone for" in (line["reason"] or "") for line in lines.values()),
             timeout=GRACE + 10)
    assert daemon.running
    assert daemon.terminate() == 0, daemon.log_tail()
    # a stop leaves the retired lines as they were: offline, saying since when and why
    assert [line["state"] for line in cli.run("status")["lines"]] == ["offline", "offline"]


def test_a_modem_that_comes_back_under_a_new_tty_name_is_found_by_identity(tmp_path):
    emu = tmp_path / "emu"
    spec = LineSpec.numbered(1)
    path = config(tmp_path, [f"{emu}/ttyEMU*"],
                  f'[[modem]]\nimei = "{spec.imei}"\nname = "desk-1"\n')
    emulator = Emulator(emu, tmp_path / "emulator.log", ("--lines", "1", "--kernel-names"))
    daemon = start_daemon(tmp_path, path)
    cli = Cli(tmp_path / "modemd.db")
    try:
        before = wait_states(cli, {"desk-1": "ok"})["desk-1"]
        old_port = emulator.line("line1")["port"]
        assert before["port"] == old_port and Path(old_port).name.startswith("ttyEMU")
        emulator.command("unplug", "line1", "--for", "0.5", "--rename")
        new_port = wait_for("a new tty name", lambda: emulator.line("line1"),
                            lambda line: line["plugged"] and line["port"] != old_port)["port"]
        assert not Path(old_port).exists()
        after = wait_for("the line on its new port", lambda: lines_by_name(cli)["desk-1"],
                         lambda line: line["port"] == new_port and line["state"] == "ok")
        assert after["id"] == before["id"]  # the same line, not a new one
        assert len(cli.run("status")["lines"]) == 1
        sent = cli.send(outside(3), "after the re-enumeration")
        assert cli.wait_status(sent, "delivered")["line"] == LINE1
        # the old port's worker was retired at once (the modem moved), not after a grace
        # period that would have left the line offline meanwhile
        assert "offline" not in [line["state"] for line in cli.run("status")["lines"]]
    finally:
        stop_all(daemon, emulator)


def test_two_ports_with_one_imei_are_driven_once(tmp_path):
    """A modem with two AT ports answers with the same IMEI (and SIM) on both."""
    emu = tmp_path / "emu"
    spec = LineSpec.numbered(1)
    twin = tmp_path / "twin.toml"
    twin.write_text(f'[[line]]\nname = "at0"\n[[line]]\nname = "at1"\n'
                    f'imei = "{spec.imei}"\niccid = "{spec.iccid}"\nimsi = "{spec.imsi}"\n'
                    f'number = "{spec.number}"\n')
    emulator = Emulator(emu, tmp_path / "emulator.log", ("--config", str(twin)))
    daemon = start_daemon(tmp_path, config(tmp_path, [f"{emu}/at*"]))
    cli = Cli(tmp_path / "modemd.db")
    try:
        wait_for("one line ok", lambda: cli.run("status")["lines"],
                 lambda lines: [line["state"] for line in lines] == ["ok"])
        wait_for("the second port noticed as a twin", daemon.log.read_text,
                 lambda text: "another AT port of modem " + spec.imei in text)
        # whichever port identified first drives the modem; the other is the twin
        driven, = [line["port"] for line in cli.run("status")["lines"]]
        twin_port = next(name for name in ("at0", "at1") if str(emu / name) != driven)
        probed = emulator.transcript_text(twin_port)
        time.sleep(3 * 0.3 + 1)  # several scans and a monitor tick later ...
        assert emulator.transcript_text(twin_port) == probed  # ... nobody talks to it
        assert "CNMI" not in probed  # it was only asked who it is
        assert driven in (str(emu / "at0"), str(emu / "at1"))
    finally:
        stop_all(daemon, emulator)
