"""What agents run about people: opt-outs, contacts, and the audit trail."""

from __future__ import annotations

import click

from modemd import config as configuration
from modemd.api.reach import reach
from modemd.cli.common import json_option, operator_option, store_options
from modemd.cli.output import emit_json, table

AUDIT_COLUMNS = ("id", "at", "operator", "action", "peer", "contact", "message_id", "detail")
OPTOUT_FIELDS = ("peer", "since", "source", "operator")  # `optouts --json`: no keyword
CONTACT_FIELDS = ("peer", "name", "operator", "created_at")


@click.group()
def optout() -> None:
    """Record or lift an opt-out given by other means than a text (a call, an email).

    A text that is only STOP, STOPALL, UNSUBSCRIBE, CANCEL, END or QUIT opts the
    sender out by itself, START or UNSTOP back in; nothing is sent to an opted-out
    number, and what was queued to it fails.
    """


@optout.command("add")
@click.argument("number")
@operator_option
@store_options
def optout_add(number: str, operator: str | None, config_path: str | None,
               db: str | None) -> None:
    """NUMBER (or a contact's name) gets nothing more; what is queued to it fails."""
    with reach(configuration.load(config_path, db=db), create=True) as desk:
        recorded = desk.call("add_optout", body={"number": number, "operator": operator})
    click.echo(f"{recorded['peer']}: opted out" if recorded["new"] else
               f"{recorded['reason']}; left as it was")


@optout.command("remove")
@click.argument("number")
@operator_option
@store_options
def optout_remove(number: str, operator: str | None, config_path: str | None,
                  db: str | None) -> None:
    """Lift NUMBER's opt-out (they asked to hear from you again)."""
    with reach(configuration.load(config_path, db=db)) as desk:
        lifted = desk.call("remove_optout", params={"peer": number},
                           query={"operator": operator})
    click.echo(f"{lifted['peer']}: opted in again (the opt-out was {lifted['since']})")


@click.command()
@json_option
@store_options
def optouts(as_json: bool, config_path: str | None, db: str | None) -> None:
    """The numbers that opted out: since when, and by which message or agent."""
    with reach(configuration.load(config_path, db=db)) as desk:
        found = desk.call("list_optouts")
    if as_json:
        emit_json([{key: o[key] for key in OPTOUT_FIELDS} for o in found])
    else:
        table(found, ("peer", "since", "keyword", "source", "operator"))


@click.group()
def contact() -> None:
    """Names for numbers: shown in every listing, and `modemd send NAME` works."""


@contact.command("add")
@click.argument("number")
@click.argument("name")
@operator_option
@store_options
def contact_add(number: str, name: str, operator: str | None, config_path: str | None,
                db: str | None) -> None:
    """Name NUMBER (E.164, or national with default_region); renames an existing one."""
    with reach(configuration.load(config_path, db=db), create=True) as desk:
        added = desk.call("add_contact", body={"number": number, "name": name,
                                               "operator": operator})
    click.echo(f"{added['peer']}: {added['name']}"
               + (f" (was {added['previous']})" if added["previous"] else ""))


@contact.command("remove")
@click.argument("number")
@operator_option
@store_options
def contact_remove(number: str, operator: str | None, config_path: str | None,
                   db: str | None) -> None:
    """Forget the name of NUMBER (or the contact of that name)."""
    with reach(configuration.load(config_path, db=db)) as desk:
        removed = desk.call("remove_contact", params={"peer": number},
                            query={"operator": operator})
    click.echo(f"{removed['peer']}: no longer named {removed['name']}")


@contact.command("list")
@json_option
@store_options
def contact_list(as_json: bool, config_path: str | None, db: str | None) -> None:
    """Every contact, by name."""
    with reach(configuration.load(config_path, db=db)) as desk:
        found = desk.call("list_contacts")
    rows = [{key: c[key] for key in CONTACT_FIELDS} for c in found]
    emit_json(rows) if as_json else table(rows, CONTACT_FIELDS)


@click.command()
@click.option("--peer", default=None, help="Only what concerns this number or contact name.")
@click.option("--operator", default=None, help="Only what this agent (or texting peer) did.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="How many.")
@json_option
@store_options
def audit(peer: str | None, operator: str | None, limit: int, as_json: bool,
          config_path: str | None, db: str | None) -> None:
    """Who did what and when, newest first: sends, resends, resumes, opt-outs (by text
    too: the operator is then the number that texted), contact changes."""
    with reach(configuration.load(config_path, db=db)) as desk:
        rows = desk.call("list_audit", query={"peer": peer, "operator": operator,
                                              "limit": str(limit)})
    emit_json(rows) if as_json else table(rows, AUDIT_COLUMNS)
