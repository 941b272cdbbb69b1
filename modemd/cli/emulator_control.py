"""`modemd emulator COMMAND`: the client that drives a running emulator over its
control socket (JSON lines), one subcommand per control operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from modemd.cli.output import emit_json, table
from modemd.emulator import launch
from modemd.emulator.control import ControlClient
from modemd.emulator.faults import URC_MODES
from modemd.emulator.rig import FAULTS

LINE_COLUMNS = ("name", "number", "profile", "port", "tty", "registration", "held")
CONTROL_COMMANDS: list[click.Command] = []


def _control(name: str, **settings: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """@click.command(name), kept in CONTROL_COMMANDS for the emulator group."""
    def register(function: Callable[..., Any]) -> click.Command:
        command = click.command(name, **settings)(function)
        CONTROL_COMMANDS.append(command)
        return command

    return register


def _call(ctx: click.Context, op: str, **args: Any) -> Any:
    return ControlClient(launch.socket_path(ctx.obj["dir"])).call(op, **args)


@_control("lines")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def lines_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the running lines: number, port link, tty, registration, held messages."""
    result = _call(ctx, "lines")
    emit_json(result) if as_json else table(result, LINE_COLUMNS)


@_control("inject")
@click.argument("line")
@click.argument("text")
@click.option("--from", "sender", required=True,
              help="Originator: +E.164, a short code, or an alphanumeric name (<= 11 chars).")
@click.option("--wide", is_flag=True, help="16-bit concatenation reference (IEI 0x08).")
@click.option("--reference", type=int, default=None, help="Concatenation reference to use.")
@click.option("--shuffle", is_flag=True, help="Deliver the parts out of order.")
@click.option("--drop", type=int, default=None, help="Never deliver part N (1-based).")
@click.option("--gap", type=float, default=0.0, help="Seconds between parts.")
@click.option("--parts", "order", default=None, metavar="N,N,...",
              help="Which parts go out, in this order; a repeat sends that part again "
              "(a network retransmission), e.g. 3,1,1,2.")
@click.option("--timestamp", default=None, metavar="ISO",
              help="The SC time stamp instead of now (ISO 8601), e.g. for a late part.")
@click.pass_context
def inject_cmd(ctx: click.Context, line: str, text: str, order: str | None,
               **options: Any) -> None:
    """Deliver TEXT to LINE from anyone, split into parts as a phone would."""
    result = _call(ctx, "inject", line=line, text=text, parts=_numbers(order), **options)
    click.echo(f"{result['parts']} part(s), delivered {result['sent']}, "
               f"reference {result['reference']}")


def _numbers(order: str | None) -> list[int] | None:
    if order is None:
        return None
    try:
        return [int(n) for n in order.split(",")]
    except ValueError:
        raise click.BadParameter(f"{order!r}: give part numbers separated by commas, "
                                 "e.g. 3,1,1,2", param_hint="--parts") from None


@_control("inject-pdu")
@click.argument("line")
@click.argument("pdu")
@click.option("--report", is_flag=True, help="It is a STATUS-REPORT, not a DELIVER.")
@click.pass_context
def inject_pdu_cmd(ctx: click.Context, line: str, pdu: str, report: bool) -> None:
    """Deliver a raw SC->MS PDU (hex, SMSC octets first), valid or not."""
    _call(ctx, "inject_pdu", line=line, pdu=pdu, kind="report" if report else "deliver")


@_control("urc")
@click.argument("line")
@click.argument("text")
@click.option("--pdu", default=None, help="A second line, as +CMT/+CDS carry.")
@click.pass_context
def urc_cmd(ctx: click.Context, line: str, text: str, pdu: str | None) -> None:
    """Send an unsolicited result code, e.g. '+CMTI: "SM",3'."""
    _call(ctx, "urc", line=line, text=text, pdu=pdu)


@_control("raw")
@click.argument("line")
@click.argument("hex_bytes", metavar="HEX")
@click.pass_context
def raw_cmd(ctx: click.Context, line: str, hex_bytes: str) -> None:
    """Write raw bytes (hex, e.g. FF00FE0D0A) onto LINE's wire."""
    _call(ctx, "raw", line=line, hex=hex_bytes)


@_control("fault")
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


@_control("timing")
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


@_control("unplug")
@click.argument("line")
@click.option("--for", "seconds", type=float, default=None, help="Plug back in after this long.")
@click.option("--rename", is_flag=True, help="Come back under another /dev/pts name.")
@click.pass_context
def unplug_cmd(ctx: click.Context, line: str, seconds: float | None, rename: bool) -> None:
    """Pull LINE's USB plug: the tty vanishes; the DIR/NAME link goes with it."""
    _call(ctx, "unplug", line=line, seconds=seconds, rename=rename)


@_control("replug")
@click.argument("line")
@click.option("--rename", is_flag=True, help="Come back under another /dev/pts name.")
@click.pass_context
def replug_cmd(ctx: click.Context, line: str, rename: bool) -> None:
    """Plug LINE back in: a fresh boot, a new tty, the same link."""
    _call(ctx, "replug", line=line, rename=rename)


@_control("reboot")
@click.argument("line")
@click.option("--seconds", type=float, default=None,
              help="How long until it is back [default: the profile's boot time].")
@click.pass_context
def reboot_cmd(ctx: click.Context, line: str, seconds: float | None) -> None:
    """LINE's modem restarts by itself (as after AT+CFUN=1,1): the port goes and comes back."""
    _call(ctx, "reboot", line=line, seconds=seconds)


@_control("capacity")
@click.argument("line")
@click.argument("memory")
@click.argument("size", type=int)
@click.pass_context
def capacity_cmd(ctx: click.Context, line: str, memory: str, size: int) -> None:
    """Resize LINE's MEMORY (SM, ME, SR) to SIZE messages, e.g. a nearly full SIM."""
    emit_json(_call(ctx, "capacity", line=line, memory=memory, size=size))


@_control("reports")
@click.option("--status", type=click.IntRange(0, 255), default=None, help="TP-ST to report.")
@click.option("--to", default=None, help="Only for messages to this number.")
@click.option("--delay", type=float, default=None, help="Seconds from delivery to report.")
@click.pass_context
def reports_cmd(ctx: click.Context, **options: Any) -> None:
    """Set the TP-ST and delay of status reports."""
    _call(ctx, "reports", **options)


@_control("delays")
@click.option("--delivery", type=float, default=None, help="Seconds in the network.")
@click.option("--submit", type=float, default=None, help="Seconds to answer +CMGS.")
@click.pass_context
def delays_cmd(ctx: click.Context, **options: Any) -> None:
    """Set network delays."""
    _call(ctx, "delays", **options)


@_control("signal")
@click.argument("line")
@click.argument("rssi", type=int)
@click.pass_context
def signal_cmd(ctx: click.Context, line: str, rssi: int) -> None:
    """Set LINE's +CSQ rssi (0-31, 99 unknown)."""
    _call(ctx, "signal", line=line, rssi=rssi)


def _listing(name: str, op: str, columns: tuple[str, ...], help_text: str) -> None:
    @_control(name, help=help_text)
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
_listing("refused", "refused", ("time", "cms", "to", "text"),
         "Sends LINE's modem answered with +CMS ERROR, decoded.")
_listing("received", "received", ("time", "kind", "route", "pdu"),
         "What the network handed LINE and where each went (a memory, direct, discarded).")


@_control("storage")
@click.argument("line")
@click.pass_context
def storage_cmd(ctx: click.Context, line: str) -> None:
    """What is stored on LINE's SIM/ME, per memory (JSON)."""
    emit_json(_call(ctx, "storage", line=line))


@_control("outside")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def outside_cmd(ctx: click.Context, as_json: bool) -> None:
    """Messages sent to numbers that are not emulated lines."""
    result = _call(ctx, "outside")
    emit_json(result) if as_json else table(result, ("time", "from", "to", "text"))
