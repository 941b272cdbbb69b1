"""What agents run about conversations: the list, and claiming one or giving it up."""

from __future__ import annotations

import click

from modemd import config as configuration
from modemd.api.reach import reach
from modemd.cli import complete
from modemd.cli.common import json_option, operator_option, store_options
from modemd.cli.output import emit_json, table
from modemd.desk import claims

COLUMNS = ("who", "line", "last", "text", "last_at", "unread", "claimed_by", "opted_out")
ARROWS = {"in": "←", "out": "→"}  # received from them, sent to them


def _row(conversation: dict, width: int = 40) -> dict:
    """A conversation as the table shows it: the name (else the number), the last
    message's direction and status, its text on one line and shortened."""
    text = (conversation["last_text"] or "").replace("\n", " ")
    direction = conversation["last_direction"]
    return {**conversation, "who": conversation["contact"] or conversation["peer"],
            "last": None if direction is None else
            f"{ARROWS[direction]} {conversation['last_status']}",
            "text": text if len(text) <= width else text[: width - 1] + "…"}


@click.command()
@click.option("--unread", is_flag=True, help="Only those with unread inbound messages.")
@click.option("--mine", is_flag=True, help="Only those claimed by --operator.")
@click.option("--search", metavar="TEXT", default=None, help="Only those whose number, "
              "contact name or any message's text contains TEXT (case ignored).")
@click.option("--operator", default=None, help="The agent --mine means [default: your user "
              "name].")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="How many.")
@json_option
@store_options
def conversations(unread: bool, mine: bool, search: str | None, operator: str | None,
                  limit: int, as_json: bool, config_path: str | None, db: str | None
                  ) -> None:
    """One row per contact, the most recent first: last message, unread count, the agent
    who claimed it, opted out or not.

    Inbound messages are unread until an agent opens the thread (`modemd thread
    PEER`). A claimed conversation is refused to other agents' send and reply unless
    they add --force.
    """
    with reach(configuration.load(config_path, db=db)) as desk:
        rows = desk.call("list_conversations", query={
            "unread": "true" if unread else None, "mine": "true" if mine else None,
            "operator": operator if mine else None, "search": search,
            "limit": str(limit)})
    emit_json(rows) if as_json else table([_row(row) for row in rows], COLUMNS)



@click.command()
@click.argument("peer", shell_complete=complete.recipients)
@click.option("--force", is_flag=True, help="Take it over from the agent who holds it.")
@operator_option
@store_options
def claim(peer: str, force: bool, operator: str | None, config_path: str | None,
          db: str | None) -> None:
    """Take the conversation with PEER: other agents need --force to text it.

    PEER: a number or a contact's name. Claiming your own again changes nothing;
    another agent's claim is refused unless --force, which takes it over (the
    audit says from whom).
    """
    with reach(configuration.load(config_path, db=db)) as desk:
        taken = desk.call("claim_conversation", params={"peer": peer},
                          body={"force": force or None, "operator": operator})
    click.echo(claims.claimed_words(taken))


@click.command()
@click.argument("peer", shell_complete=complete.recipients)
@click.option("--force", is_flag=True, help="Release another agent's claim.")
@operator_option
@store_options
def release(peer: str, force: bool, operator: str | None, config_path: str | None,
            db: str | None) -> None:
    """Give up the claim on the conversation with PEER.

    Only the agent holding it may, or another one with --force (audited).
    """
    with reach(configuration.load(config_path, db=db)) as desk:
        released = desk.call("release_conversation", params={"peer": peer},
                             body={"force": force or None, "operator": operator})
    click.echo(claims.released_words(released))
