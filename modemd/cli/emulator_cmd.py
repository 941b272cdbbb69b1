"""`modemd emulator`: fake modems on ptys, and the client that drives them."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

import click

from modemd.cli.emulator_control import CONTROL_COMMANDS, LINE_COLUMNS
from modemd.cli.output import emit_json, table
from modemd.emulator import launch
from modemd.emulator.profiles import available
from modemd.emulator.rig import NetworkOptions


@click.group(invoke_without_command=True)
@click.option("--dir", "directory", type=click.Path(path_type=Path), envvar=launch.DIR_ENV,
              default=None, help="Folder for the port links NAME -> /dev/pts/N and control.sock "
              f"[default: ${launch.DIR_ENV} or /tmp/modemd-emulator-UID].")
@click.option("--lines", "count", type=int, default=2, show_default=True,
              help="How many emulated lines (modems) to start.")
@click.option("--profile", "profiles", multiple=True,
              help=f"Vendor profile per line, in order; the last repeats. Built in: "
              f"{', '.join(available())}; or a path to a .toml profile.")
@click.option("--pin", default=None, help="Lock every SIM with this PIN (PUK is 12345678).")
@click.option("--config", "config", type=click.Path(exists=True, path_type=Path), default=None,
              help="TOML with [[line]] tables (name, number, imei, imsi, iccid, profile, pin, "
              "pin_enabled, number_on_sim, rssi) and a [network] table; overrides --lines.")
@click.option("--delivery-delay", type=float, default=0.0, show_default=True,
              help="Seconds a message spends in the network.")
@click.option("--report-delay", type=float, default=0.0, show_default=True,
              help="Seconds from delivery to the status report.")
@click.option("--submit-delay", type=float, default=0.0, show_default=True,
              help="Seconds the modem takes to answer +CMGS.")
@click.option("--report-status", type=click.IntRange(0, 255), default=0, show_default=True,
              help="TP-ST of status reports (0 delivered, 32-63 pending, 64+ failed).")
@click.option("--seed", type=int, default=None, help="Seed for concatenation references.")
@click.option("--kernel-names", is_flag=True,
              help="No stable links: name each link after its pty (DIR/ttyEMU<N>), as the "
              "kernel names /dev/ttyUSB<N>; a replug --rename renames it.")
@click.option("--json", "as_json", is_flag=True, help="Print the started lines as JSON.")
@click.pass_context
def emulator(ctx: click.Context, directory: Path | None, count: int, profiles: tuple[str, ...],
             pin: str | None, config: Path | None, kernel_names: bool, as_json: bool,
             **network: Any) -> None:
    """Run emulated GSM modems on ptys, or drive running ones.

    Without a subcommand: start the lines and serve until Ctrl-C/SIGTERM.
    Each line is a pty behind a stable link DIR/NAME (like udev by-path
    links) that any serial client can open: gammu, minicom, python-gsmmodem,
    modemd itself. A message sent to another line's number arrives there;
    status reports come back. Numbers are +120155501NN (NN = line number).

    With a subcommand: talk to the running emulator on the same --dir.

    \b
    Examples:
      modemd emulator --lines 2 --profile quectel --profile huawei
      modemd emulator inject line1 --from ACME "Your code is 1234"
      modemd emulator fault line1 cms --code 42 --count 2
      modemd emulator transcript line1
    """
    ctx.obj = {"dir": directory or launch.default_directory()}
    if ctx.invoked_subcommand is not None:
        return
    specs = launch.specs_for(count, profiles, pin)
    if config is not None:
        specs, overrides = launch.load_config(config)
        network.update(overrides)
    running = launch.start(ctx.obj["dir"], specs, NetworkOptions(**network),
                           kernel_names=kernel_names)
    try:
        _announce(running, ctx.obj["dir"], as_json)
        _wait_for_signal()
    finally:
        running.close()


def _announce(running: launch.Running, directory: Path, as_json: bool) -> None:
    lines = running.rig.lines()
    if as_json:
        emit_json({"control": str(launch.socket_path(directory)), "lines": lines})
        return
    click.echo(f"modemd emulator: {len(lines)} line(s); control socket "
               f"{launch.socket_path(directory)}")
    table(lines, LINE_COLUMNS)
    click.echo("Open a PORT with any serial client. Drive it with `modemd emulator --help`. "
               "Ctrl-C stops.")


def _wait_for_signal() -> None:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(1.0):
        pass


for _command in CONTROL_COMMANDS:
    emulator.add_command(_command)
