"""What operators and monitors run: health, check, backup, prune."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

import click

from modemd import config as configuration
from modemd.api.reach import reach
from modemd.cli.checks import ERROR, run_checks
from modemd.cli.common import json_option, opened, store_options
from modemd.cli.output import emit_json
from modemd.desk.health import UNKNOWN, Limits, unknown
from modemd.errors import InvalidInputError, ModemdError
from modemd.store import retention
from modemd.store.backup import backup as copy_database
from modemd.store.db import utc_now


class PluginCommand(click.Command):
    """A monitoring plugin answers UNKNOWN (exit 3) to bad arguments too: click's exit
    2 would read as CRITICAL to Nagios, Icinga or Checkmk."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as error:
            _unknown_usage(error)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            _unknown_usage(error)


def _unknown_usage(error: click.UsageError) -> NoReturn:
    click.echo(f"MODEMD UNKNOWN - bad arguments: {error.format_message()}")
    error.exit_code = UNKNOWN
    raise error


def _limits(queue_warn: float, queue_crit: float, ratio_warn: float, ratio_crit: float,
            ratio_min: int) -> Limits:
    if queue_warn > queue_crit:
        raise click.UsageError(f"--queue-warn {queue_warn:g} is above --queue-crit "
                               f"{queue_crit:g}: a warning comes before the critical state")
    if ratio_warn < ratio_crit:
        raise click.UsageError(f"--ratio-warn {ratio_warn:g} is below --ratio-crit "
                               f"{ratio_crit:g}: the ratio warns first as it falls")
    return Limits(queue_warn, queue_crit, ratio_warn, ratio_crit, ratio_min)


@click.command(cls=PluginCommand)
@click.option("--queue-warn", type=click.FloatRange(min=0), default=Limits.queue_warn,
              show_default=True, help="WARNING when the oldest queued message waited "
              "longer (seconds).")
@click.option("--queue-crit", type=click.FloatRange(min=0), default=Limits.queue_crit,
              show_default=True, help="CRITICAL when it waited longer (seconds).")
@click.option("--ratio-warn", type=click.FloatRange(0, 100), default=Limits.ratio_warn,
              show_default=True, help="WARNING when fewer delivery reports of the last "
              "24 h matched a message (percent).")
@click.option("--ratio-crit", type=click.FloatRange(0, 100), default=Limits.ratio_crit,
              show_default=True, help="CRITICAL below this (percent).")
@click.option("--ratio-min", type=click.IntRange(min=1), default=Limits.ratio_min,
              show_default=True, help="Judge the ratio only with at least this many "
              "reports in 24 h.")
@json_option
@store_options
def health(queue_warn: float, queue_crit: float, ratio_warn: float, ratio_crit: float,
           ratio_min: int, as_json: bool, config_path: str | None, db: str | None) -> None:
    """A monitoring plugin: one line, and exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

    Checks the daemon (running and heartbeating), its lines (down: WARNING; none
    ok: CRITICAL), the queue's oldest message, the delivery-report match ratio over
    24 h, and the database's disk. The worst state wins; each problem is named.
    An unreadable database or a bad option is UNKNOWN (these exit codes replace the
    other commands' 0/1/2).
    """
    limits = _limits(queue_warn, queue_crit, ratio_warn, ratio_crit, ratio_min)
    try:
        with reach(configuration.load(config_path, db=db)) as desk:
            result = desk.call("get_health", query={  # repr: a float, exactly, as text
                name: repr(value) for name, value in asdict(limits).items()})
    except Exception as error:  # a plugin answers UNKNOWN, never with a traceback
        reason = str(error) if isinstance(error, ModemdError) else (
            f"{type(error).__name__}: {error}")
        result = unknown(reason)
    emit_json(result) if as_json else click.echo(result["summary"])
    click.get_current_context().exit(result["code"])


@click.command()
@click.option("--port", "ports", multiple=True, metavar="PATH",
              help="A modem port to check as `modemd run --port` would drive it; repeatable.")
@json_option
@store_options
def check(ports: tuple[str, ...], as_json: bool, config_path: str | None,
          db: str | None) -> None:
    """Check a configuration without starting anything: it parses, its ports open,
    its discover globs match, the database location is writable, ModemManager keeps
    off our ports. One line per check (ok, WARNING, ERROR, skipped); exit 1 on an ERROR.
    """
    results = run_checks(config_path, db, ports)
    errors = [result for result in results if result["state"] == ERROR]
    if as_json:
        emit_json({"ok": not errors, "checks": results})
    else:
        for result in results:
            click.echo(f"{result['state']:<8} {result['check']:<12} {result['subject']}: "
                       f"{result['text']}")
    if errors:
        raise click.ClickException(
            f"{len(errors)} check(s) failed ({', '.join(e['check'] for e in errors)}): fix "
            "what the ERROR lines say and run `modemd check` again")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@json_option
@store_options
def backup(path: Path, force: bool, as_json: bool, config_path: str | None,
           db: str | None) -> None:
    """Copy the database to PATH, consistent even while the daemon writes.

    Uses SQLite's online backup from a read-only connection; the copy passes PRAGMA
    integrity_check before it gets the name PATH. Prints the path and size. To
    restore: stop the daemon, move the copy over the database, start it.
    """
    config = configuration.load(config_path, db=db)
    done = copy_database(config.database, path, force=force)
    if as_json:
        emit_json(done)
    else:
        click.echo(f"{done['path']}: {done['bytes']:,} bytes, {done['messages']} "
                   "message(s), integrity ok")


@click.command()
@click.option("--days", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Delete final messages older than this many days [default: "
              "retention_days in the configuration].")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@json_option
@store_options
def prune(days: float | None, dry_run: bool, as_json: bool, config_path: str | None,
          db: str | None) -> None:
    """Delete messages older than --days that are final (never queued or sending),
    with their parts and reports, and old quarantine rows; the audit trail stays.
    Safe while the daemon runs (it also does this hourly with retention_days)."""
    config = configuration.load(config_path, db=db)
    days = days if days is not None else config.retention_days
    if days is None:
        raise InvalidInputError("how many days to keep? Give --days N, or set "
                                "retention_days in the configuration")
    now = utc_now()
    before = retention.cutoff(days, now)
    with opened(config, admin=True) as store:
        counts = (retention.prunable if dry_run else retention.prune)(store.database, days, now)
    if as_json:
        emit_json({**counts, "cutoff": before, "dry_run": dry_run, "days": days})
        return
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"{verb} {counts['messages']} message(s) ({counts['outbound_parts']} "
               f"outbound part(s), {counts['inbound_parts']} inbound part(s), "
               f"{counts['reports']} report(s)) and {counts['quarantine']} quarantine "
               f"row(s) from before {before} ({days:g} days)")
