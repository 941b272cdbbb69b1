"""What agents run: send, resend, outbox, inbox, thread, show, status, quarantine."""

from __future__ import annotations

import getpass
import sys

import click

from modemd import config as configuration
from modemd.cli import complete
from modemd.cli.common import json_option, opened, store_options
from modemd.cli.liveness import ago, daemon_state
from modemd.cli.output import emit_json, table
from modemd.desk import sending
from modemd.errors import InvalidInputError
from modemd.store import OutboundStatus
from modemd.store.runs import age_seconds
from modemd.wake import poke

LIST_COLUMNS = ("id", "created_at", "peer", "contact", "line", "status", "parts", "keyword",
                "text")
LINE_COLUMNS = ("id", "name", "own_number", "port", "state", "signal", "registration",
                "operator", "queue_depth", "last_seen", "reason")


def _short(rows: list[dict], width: int = 48) -> list[dict]:
    shown = []
    for row in rows:
        text = (row.get("text") or "").replace("\n", " ")
        shown.append({**row, "text": text if len(text) <= width else text[: width - 1] + "…"})
    return shown


@click.command()
@click.argument("to", shell_complete=complete.recipients)
@click.argument("text")
@click.option("--line", default=None, shell_complete=complete.line_names,
              help="Send from this line (id, name, own number, ICCID or IMSI); it waits for "
              "that line. Default: the line this contact last talked to, else the least busy.")
@click.option("--operator", default=None, help="The agent sending [default: your user name].")
@json_option
@store_options
def send(to: str, text: str, line: str | None, operator: str | None, as_json: bool,
         config_path: str | None, db: str | None) -> None:
    """Queue TEXT to TO (E.164, national with default_region set, or a contact's name);
    TEXT - reads stdin.

    Prints the message id. Works while the daemon is stopped: the message waits
    in the database. A rejected message queues nothing; so does one to a number that
    opted out (STOP).
    """
    config = configuration.load(config_path, db=db)
    body = sys.stdin.read().rstrip("\n") if text == "-" else text
    with opened(config, create=True) as store:
        sent = sending.send(store, to, body, operator=operator or getpass.getuser(), line=line,
                            default_region=config.default_region)
    poke(config.database)
    _queued(sent, as_json)


@click.command()
@click.argument("message_id", type=int, shell_complete=complete.message_ids)
@click.argument("text")
@click.option("--operator", default=None, help="The agent replying [default: your user name].")
@json_option
@store_options
def reply(message_id: int, text: str, operator: str | None, as_json: bool,
          config_path: str | None, db: str | None) -> None:
    """Answer inbound message MESSAGE_ID with TEXT (- reads stdin): to its sender, from
    the line it came in on.

    Prints the new message's id. The same checks as send: an opted-out sender or a
    sender name (alphanumeric, which cannot be answered) is refused, queuing nothing.
    """
    config = configuration.load(config_path, db=db)
    body = sys.stdin.read().rstrip("\n") if text == "-" else text
    with opened(config) as store:
        sent = sending.reply(store, message_id, body, operator=operator or getpass.getuser(),
                             default_region=config.default_region)
    poke(config.database)
    _queued(sent, as_json)


def _queued(sent: sending.Sent, as_json: bool) -> None:
    if as_json:
        emit_json({"id": sent.message_id, "status": OutboundStatus.QUEUED, "parts": sent.parts,
                   "encoding": sent.encoding, "peer": sent.peer})
    else:
        click.echo(sent.message_id)


@click.command()
@click.argument("message_id", type=int, shell_complete=complete.message_ids)
@click.option("--operator", default=None, help="The agent deciding [default: your user name].")
@store_options
def resend(message_id: int, operator: str | None, config_path: str | None,
           db: str | None) -> None:
    """Send a failed, expired or `unknown` message again (an agent's decision)."""
    config = configuration.load(config_path, db=db)
    with opened(config) as store:
        store.outbox.resend(message_id, operator or getpass.getuser())
    poke(config.database)
    click.echo(message_id)


def _listing(direction: str, name: str, help_text: str) -> click.Command:
    @click.command(name, help=help_text)
    @click.option("--limit", type=int, default=50, show_default=True, help="How many.")
    @click.option("--peer", default=None, help="Only this contact (E.164 or sender name).")
    @click.option("--status", default=None, help="Only this status.")
    @json_option
    @store_options
    def listing(limit: int, peer: str | None, status: str | None, as_json: bool,
                config_path: str | None, db: str | None) -> None:
        with opened(configuration.load(config_path, db=db)) as store:
            rows = store.views.messages(direction, limit=limit, peer=peer, status=status)
        emit_json(rows) if as_json else table(_short(rows), LIST_COLUMNS)

    return listing


outbox = _listing("out", "outbox", "Outbound messages, newest first.")
inbox = _listing("in", "inbox", "Inbound messages, newest first (incomplete: parts missing).")


@click.command()
@click.argument("peer", shell_complete=complete.peers)
@json_option
@store_options
def thread(peer: str, as_json: bool, config_path: str | None, db: str | None) -> None:
    """The conversation with PEER, both directions, oldest first."""
    with opened(configuration.load(config_path, db=db)) as store:
        rows = store.views.thread(peer)
    emit_json(rows) if as_json else table(_short(rows, 60), ("id", "created_at", "direction",
                                                              "line", "status", "keyword",
                                                              "text"))


@click.command()
@click.argument("message_id", type=int, shell_complete=complete.message_ids)
@json_option
@store_options
def show(message_id: int, as_json: bool, config_path: str | None, db: str | None) -> None:
    """One message with its parts and delivery reports."""
    with opened(configuration.load(config_path, db=db)) as store:
        found = store.views.message(message_id)
    if found is None:
        raise InvalidInputError(f"no message {message_id}: see `modemd outbox` / `modemd inbox`")
    if as_json:
        emit_json(found)
        return
    for key, value in found.items():
        if key not in ("part_list", "reports"):
            click.echo(f"{key:>14}: {'-' if value is None else value}")
    for title in ("part_list", "reports"):
        if found.get(title):
            click.echo(f"\n{title.replace('_list', 's')}:")
            table(found[title], tuple(found[title][0]))


@click.command()
@json_option
@store_options
def status(as_json: bool, config_path: str | None, db: str | None) -> None:
    """Each line: port, identity, signal, registration, operator, state, queue depth, last
    contact; the daemon: running (pid, since, heartbeat), stopped, or gone without
    stopping; and the database: its path, free bytes on its disk, whether that is full."""
    config = configuration.load(config_path, db=db)
    with opened(config) as store, store.database.snapshot():
        lines, waiting = store.views.lines(), store.views.unassigned_queue()
        disk = store.database.disk_state()
        daemon = daemon_state(store, config.database)
    if as_json:
        emit_json({"lines": lines, "queued_without_line": waiting, "database": disk,
                   "daemon": daemon})
        return
    table([{**line, "last_seen": ago(age_seconds(line["last_seen_at"]))} for line in lines],
          LINE_COLUMNS)
    click.echo(f"queued, no line chosen yet: {waiting}")
    click.echo(f"daemon: {daemon['text']}")
    free = "" if disk["free_bytes"] is None else f"{disk['free_bytes']:,} bytes free"
    click.echo(f"database {disk['path']}: " + (
        f"DISK FULL ({free}): free space there; until then nothing new can be stored"
        if disk["full"] else free or "in memory"))


@click.command()
@json_option
@store_options
def quarantine(as_json: bool, config_path: str | None, db: str | None) -> None:
    """Inbound PDUs nobody could decode, kept raw with the reason."""
    with opened(configuration.load(config_path, db=db)) as store:
        rows = store.views.quarantine()
    emit_json(rows) if as_json else table(rows, ("id", "received_at", "line_id", "reason", "pdu"))
