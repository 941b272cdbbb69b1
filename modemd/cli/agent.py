"""What agents run: send, reply, resend, cancel, outbox, inbox, thread, show, status,
quarantine."""

from __future__ import annotations

import sys

import click

from modemd import config as configuration
from modemd.api.reach import reach
from modemd.cli import complete
from modemd.cli.common import json_option, store_options
from modemd.cli.output import emit_json, field, table
from modemd.desk import when
from modemd.desk.liveness import ago
from modemd.store.runs import age_seconds

LIST_COLUMNS = ("id", "created_at", "peer", "contact", "line", "status", "parts", "keyword",
                "text")
AT_HELP = ("Send at WHEN, not now: an ISO 8601 time with Z or an offset "
           "(2026-12-24T09:00Z, 2026-12-24T09:00+01:00), or \"YYYY-MM-DD HH:MM\" (or ISO "
           "without offset) in this computer's local time zone. The message is `scheduled` "
           "until then; `modemd cancel ID` takes it back.")
FORCE_HELP = ("Send even though another agent claimed the conversation (`modemd claim`); "
              "the audit records it.")
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
@click.option("--at", "at", default=None, metavar="WHEN", help=AT_HELP)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@json_option
@store_options
def send(to: str, text: str, line: str | None, operator: str | None, at: str | None,
         force: bool, as_json: bool, config_path: str | None, db: str | None) -> None:
    """Queue TEXT to TO (E.164, national with default_region set, or a contact's name);
    TEXT - reads stdin.

    Prints the message id. Works while the daemon is stopped: the message waits
    in the database. A rejected message queues nothing; so does one to a number that
    opted out (STOP), and one over a pace limit ([pace]: it says which, and when a send
    may go). With --at it is `scheduled` until WHEN, then queued (a daemon
    that was stopped sends it when it starts); every check is made when it is scheduled.
    """
    config = configuration.load(config_path, db=db)
    body = sys.stdin.read().rstrip("\n") if text == "-" else text
    with reach(config, create=True) as desk:
        sent = desk.call("send_message", body={"to": to, "text": body, "line": line,
                                               "operator": operator, "at": _at(at),
                                               "force": force or None})
    _queued(sent, as_json)


@click.command()
@click.argument("message_id", type=int, shell_complete=complete.message_ids)
@click.argument("text")
@click.option("--operator", default=None, help="The agent replying [default: your user name].")
@click.option("--at", "at", default=None, metavar="WHEN", help=AT_HELP)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@json_option
@store_options
def reply(message_id: int, text: str, operator: str | None, at: str | None, force: bool,
          as_json: bool, config_path: str | None, db: str | None) -> None:
    """Answer inbound message MESSAGE_ID with TEXT (- reads stdin): to its sender, from
    the line it came in on.

    Prints the new message's id. The same checks as send: an opted-out sender or a
    sender name (alphanumeric, which cannot be answered) is refused, queuing nothing.
    """
    config = configuration.load(config_path, db=db)
    body = sys.stdin.read().rstrip("\n") if text == "-" else text
    with reach(config) as desk:
        sent = desk.call("reply_message", params={"id": message_id},
                         body={"text": body, "operator": operator, "at": _at(at),
                               "force": force or None})
    _queued(sent, as_json)


def _at(text: str | None) -> str | None:
    """--at as an exact moment: a local "YYYY-MM-DD HH:MM" is this computer's time, even
    when the daemon, in another zone, is the one who schedules it."""
    return None if text is None else when.parse(text).isoformat()


def _queued(sent: dict, as_json: bool) -> None:
    for warning in sent.get("warnings", ()):  # queued anyway; stdout stays the id alone
        click.echo(f"Warning: {warning}", err=True)
    if as_json:
        emit_json({key: sent[key] for key in ("id", "status", "parts", "encoding", "peer",
                                              "scheduled_for")})
    else:
        click.echo(sent["id"])


@click.command()
@click.argument("message_id", type=int, shell_complete=complete.message_ids)
@click.option("--operator", default=None, help="The agent deciding [default: your user name].")
@store_options
def resend(message_id: int, operator: str | None, config_path: str | None,
           db: str | None) -> None:
    """Send a failed, expired or `unknown` message again (an agent's decision)."""
    with reach(configuration.load(config_path, db=db)) as desk:
        desk.call("resend_message", params={"id": message_id}, body={"operator": operator})
    click.echo(message_id)


@click.command()
@click.argument("message_id", type=int, shell_complete=complete.message_ids)
@click.option("--operator", default=None, help="The agent cancelling [default: your user name].")
@store_options
def cancel(message_id: int, operator: str | None, config_path: str | None,
           db: str | None) -> None:
    """Cancel a scheduled or queued message before any part of it went out.

    Prints the id. The message and its parts become `cancelled` (final) and the audit
    records who. Refused once a line took it (`sending`): a part may be on the air.
    """
    with reach(configuration.load(config_path, db=db)) as desk:
        desk.call("cancel_message", params={"id": message_id}, body={"operator": operator})
    click.echo(message_id)


def _listing(direction: str, name: str, help_text: str) -> click.Command:
    @click.command(name, help=help_text)
    @click.option("--limit", type=int, default=50, show_default=True, help="How many.")
    @click.option("--peer", default=None, help="Only this contact (E.164 or sender name).")
    @click.option("--status", default=None, help="Only this status.")
    @json_option
    @store_options
    def listing(limit: int, peer: str | None, status: str | None, as_json: bool,
                config_path: str | None, db: str | None, unread: bool = False) -> None:
        with reach(configuration.load(config_path, db=db)) as desk:
            rows = desk.call("list_messages", query={
                "direction": direction, "limit": str(limit), "peer": peer, "status": status,
                "unread": "true" if unread else None})
        emit_json(rows) if as_json else table(_short(rows), _columns(rows))

    if direction == "in":  # only inbound messages are read or unread
        click.option("--unread", is_flag=True, help="Only those no agent has read yet (not "
                     "opened with `modemd thread`).")(listing)
    return listing


def _columns(rows: list[dict]) -> tuple[str, ...]:
    """The listing's columns; scheduled_for after status when a row has one."""
    if not any(row.get("scheduled_for") for row in rows):
        return LIST_COLUMNS
    at = LIST_COLUMNS.index("status") + 1
    return (*LIST_COLUMNS[:at], "scheduled_for", *LIST_COLUMNS[at:])


outbox = _listing("out", "outbox", "Outbound messages, newest first.")
inbox = _listing("in", "inbox", "Inbound messages, newest first (incomplete: parts missing).")


@click.command()
@click.argument("peer", shell_complete=complete.peers)
@click.option("--keep-unread", is_flag=True, help="Leave its unread messages unread.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="Show the newest this many (all its unread become read all the same).")
@json_option
@store_options
def thread(peer: str, keep_unread: bool, limit: int, as_json: bool, config_path: str | None,
           db: str | None) -> None:
    """The conversation with PEER, both directions, oldest first (the newest --limit of
    it); its inbound messages are read from now on.

    PEER: a number, a contact's name, or a sender name as it came. --keep-unread
    leaves them unread (`modemd conversations` counts them). A database that cannot
    be written still shows the thread, saying so on stderr.
    """
    with reach(configuration.load(config_path, db=db)) as desk:
        opened = desk.call("get_conversation" if keep_unread else "read_conversation",
                           params={"peer": peer}, query={"limit": str(limit)})
    if opened.get("not_marked"):
        click.echo(f"Warning: {opened['not_marked']}", err=True)
    rows = opened["messages"]
    emit_json(rows) if as_json else table(_short(rows, 60), ("id", "created_at", "direction",
                                                              "line", "status", "keyword",
                                                              "text"))


@click.command()
@click.argument("message_id", type=int, shell_complete=complete.message_ids)
@json_option
@store_options
def show(message_id: int, as_json: bool, config_path: str | None, db: str | None) -> None:
    """One message with its parts and delivery reports."""
    with reach(configuration.load(config_path, db=db)) as desk:
        found = desk.call("get_message", params={"id": message_id})
    if as_json:
        emit_json(found)
        return
    for key, value in found.items():
        if key not in ("part_list", "reports"):
            click.echo(f"{key:>14}: {field(key, value)}")
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
    with reach(configuration.load(config_path, db=db)) as desk:
        answer = desk.call("list_lines")
    lines, waiting = answer["lines"], answer["queued_without_line"]
    disk, daemon = answer["database"], answer["daemon"]
    if as_json:
        emit_json(answer)
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
    with reach(configuration.load(config_path, db=db)) as desk:
        rows = desk.call("list_quarantine")
    emit_json(rows) if as_json else table(rows, ("id", "received_at", "line_id", "reason", "pdu"))
