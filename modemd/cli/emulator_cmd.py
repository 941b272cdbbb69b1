"""`modemd emulator`: fake modems on ptys, and the client that drives them."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

import click

from modemd.cli.output import emit_json, table
from modemd.emulator import launch
from modemd.emulator.control import ControlClient
from modemd.emulator.faults import URC_MODES
from modemd.emulator.profiles import available
from modemd.emulator.rig import FAULTS, NetworkOptions

LINE_COLUMNS = ("name", "number", "profile", "port", "tty", "registration", "held")


def _client(ctx: click.Context) -> ControlClient:
    return ControlClient(launch.socket_path(ctx.obj["dir"]))


def _call(ctx: click.Context, op: str, **args: Any) -> Any:
    return _client(ctx).call(op, **args)


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
@click.option("--json", "as_json", is_flag=True, help="Print the started lines as JSON.")
@click.pass_context
def emulator(ctx: click.Context, directory: Path | None, count: int, profiles: tuple[str, ...],
             pin: str | None, config: Path | None, as_json: bool, **network: Any) -> None:
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
    running = launch.start(ctx.obj["dir"], specs, NetworkOptions(**network))
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


@emulator.command("lines")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def lines_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the running lines: number, port link, tty, registration, held messages."""
    result = _call(ctx, "lines")
    emit_json(result) if as_json else table(result, LINE_COLUMNS)


@emulator.command("inject")
@click.argument("line")
@click.argument("text")
@click.option("--from", "sender", required=True,
              help="Originator: +E.164, a short code, or an alphanumeric name (<= 11 chars).")
@click.option("--wide", is_flag=True, help="16-bit concatenation reference (IEI 0x08).")
@click.option("--reference", type=int, default=None, help="Concatenation reference to use.")
@click.option("--shuffle", is_flag=True, help="Deliver the parts out of order.")
@click.option("--drop", type=int, default=None, help="Never deliver part N (1-based).")
@click.option("--gap", type=float, default=0.0, help="Seconds between parts.")
@click.pass_context
def inject_cmd(ctx: click.Context, line: str, text: str, **options: Any) -> None:
    """Deliver TEXT to LINE from anyone, split into parts as a phone would."""
    result = _call(ctx, "inject", line=line, text=text, **options)
    click.echo(f"{result['parts']} part(s), delivered {result['sent']}, "
               f"reference {result['reference']}")


@emulator.command("inject-pdu")
@click.argument("line")
@click.argument("pdu")
@click.option("--report", is_flag=True, help="It is a STATUS-REPORT, not a DELIVER.")
@click.pass_context
def inject_pdu_cmd(ctx: click.Context, line: str, pdu: str, report: bool) -> None:
    """Deliver a raw SC->MS PDU (hex, SMSC octets first), valid or not."""
    _call(ctx, "inject_pdu", line=line, pdu=pdu, kind="report" if report else "deliver")


@emulator.command("urc")
@click.argument("line")
@click.argument("text")
@click.option("--pdu", default=None, help="A second line, as +CMT/+CDS carry.")
@click.pass_context
def urc_cmd(ctx: click.Context, line: str, text: str, pdu: str | None) -> None:
    """Send an unsolicited result code, e.g. '+CMTI: "SM",3'."""
    _call(ctx, "urc", line=line, text=text, pdu=pdu)


@emulator.command("raw")
@click.argument("line")
@click.argument("hex_bytes", metavar="HEX")
@click.pass_context
def raw_cmd(ctx: click.Context, line: str, hex_bytes: str) -> None:
    """Write raw bytes (hex, e.g. FF00FE0D0A) onto LINE's wire."""
    _call(ctx, "raw", line=line, hex=hex_bytes)


@emulator.command("fault")
@click.argument("line")
@click.argument("kind", type=click.Choice(FAULTS))
@click.option("--seconds", type=float, default=None,
              help="slow: delay per answer; hang: end the hang after this long.")
@click.option("--code", type=int, default=None, help="cms: the +CMS ERROR code.")
@click.option("--count", type=int, default=1, show_default=True,
              help="cms: how many sends fail; noise: how many answers get garbage.")
@click.option("--state", type=click.Choice(["0", "2", "3"]), default="2", show_default=True,
              help="no-network: +CREG stat (0 none, 2 searching, 3 denied).")
@click.option("--wake-on-esc", is_flag=True, help="hang: an ESC byte ends the hang.")
@click.pass_context
def fault_cmd(ctx: click.Context, line: str, kind: str, state: str, **options: Any) -> None:
    """Switch on a fault: hang, slow, cms, no-network, drop-reports, noise, no-sim; or clear."""
    emit_json(_call(ctx, "fault", line=line, kind=kind, state=int(state), **options))


@emulator.command("timing")
@click.argument("line")
@click.option("--urc", "urc_mode", type=click.Choice(URC_MODES), default=None,
              help="in_response: URCs wait for the next answer and go before its OK; "
              "after_prompt: right after '> '; coalesce: several in one write.")
@click.option("--split-pdu/--no-split-pdu", default=None,
              help="Write a +CMT/+CDS header and its PDU line in separate writes.")
@click.option("--hold-max", type=float, default=None, help="Longest a held URC waits.")
@click.pass_context
def timing_cmd(ctx: click.Context, line: str, **options: Any) -> None:
    """Provoke awkward URC timing on LINE."""
    emit_json(_call(ctx, "timing", line=line, **options))


@emulator.command("unplug")
@click.argument("line")
@click.option("--for", "seconds", type=float, default=None, help="Plug back in after this long.")
@click.option("--rename", is_flag=True, help="Come back under another /dev/pts name.")
@click.pass_context
def unplug_cmd(ctx: click.Context, line: str, seconds: float | None, rename: bool) -> None:
    """Pull LINE's USB plug: the tty vanishes; the DIR/NAME link goes with it."""
    _call(ctx, "unplug", line=line, seconds=seconds, rename=rename)


@emulator.command("replug")
@click.argument("line")
@click.option("--rename", is_flag=True, help="Come back under another /dev/pts name.")
@click.pass_context
def replug_cmd(ctx: click.Context, line: str, rename: bool) -> None:
    """Plug LINE back in: a fresh boot, a new tty, the same link."""
    _call(ctx, "replug", line=line, rename=rename)


@emulator.command("reports")
@click.option("--status", type=click.IntRange(0, 255), default=None, help="TP-ST to report.")
@click.option("--to", default=None, help="Only for messages to this number.")
@click.option("--delay", type=float, default=None, help="Seconds from delivery to report.")
@click.pass_context
def reports_cmd(ctx: click.Context, **options: Any) -> None:
    """Set the TP-ST and delay of status reports."""
    _call(ctx, "reports", **options)


@emulator.command("delays")
@click.option("--delivery", type=float, default=None, help="Seconds in the network.")
@click.option("--submit", type=float, default=None, help="Seconds to answer +CMGS.")
@click.pass_context
def delays_cmd(ctx: click.Context, **options: Any) -> None:
    """Set network delays."""
    _call(ctx, "delays", **options)


@emulator.command("signal")
@click.argument("line")
@click.argument("rssi", type=int)
@click.pass_context
def signal_cmd(ctx: click.Context, line: str, rssi: int) -> None:
    """Set LINE's +CSQ rssi (0-31, 99 unknown)."""
    _call(ctx, "signal", line=line, rssi=rssi)


def _listing(name: str, op: str, columns: tuple[str, ...], help_text: str) -> None:
    @emulator.command(name, help=help_text)
    @click.argument("line")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_context
    def listing(ctx: click.Context, line: str, as_json: bool) -> None:
        result = _call(ctx, op, line=line)
        emit_json(result) if as_json else table(result, columns)


_listing("submitted", "submitted", ("time", "mr", "to", "srr", "udh", "text"),
         "What LINE submitted, decoded: number, text, UDH, MR, status report request.")
_listing("transcript", "transcript", ("time", "dir", "text"),
         "Timestamped bytes LINE read (rx) and wrote (tx).")


@emulator.command("storage")
@click.argument("line")
@click.pass_context
def storage_cmd(ctx: click.Context, line: str) -> None:
    """What is stored on LINE's SIM/ME, per memory (JSON)."""
    emit_json(_call(ctx, "storage", line=line))


@emulator.command("outside")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def outside_cmd(ctx: click.Context, as_json: bool) -> None:
    """Messages sent to numbers that are not emulated lines."""
    result = _call(ctx, "outside")
    emit_json(result) if as_json else table(result, ("time", "from", "to", "text"))
