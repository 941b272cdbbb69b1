"""What agents run about people: opt-outs, contacts, and the audit trail."""

from __future__ import annotations

import getpass

import click

from modemd import config as configuration
from modemd.cli.common import json_option, opened, operator_option, store_options
from modemd.cli.output import emit_json, table
from modemd.desk import people

AUDIT_COLUMNS = ("id", "at", "operator", "action", "peer", "contact", "message_id", "detail")



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
    config = configuration.load(config_path, db=db)
    with opened(config, create=True) as store:
        recorded, new = people.add_optout(store, number, operator or getpass.getuser(),
                                          config.default_region)
    click.echo(f"{recorded.peer}: opted out" if new else
               f"{recorded.reason()}; left as it was")


@optout.command("remove")
@click.argument("number")
@operator_option
@store_options
def optout_remove(number: str, operator: str | None, config_path: str | None,
                  db: str | None) -> None:
    """Lift NUMBER's opt-out (they asked to hear from you again)."""
    config = configuration.load(config_path, db=db)
    with opened(config) as store:
        lifted = people.remove_optout(store, number, operator or getpass.getuser(),
                                      config.default_region)
    click.echo(f"{lifted.peer}: opted in again (the opt-out was {lifted.since})")


@click.command()
@json_option
@store_options
def optouts(as_json: bool, config_path: str | None, db: str | None) -> None:
    """The numbers that opted out: since when, and by which message or agent."""
    with opened(configuration.load(config_path, db=db)) as store:
        found = store.optouts.list()
    if as_json:
        emit_json([o.public() for o in found])
    else:
        table([vars(o) for o in found], ("peer", "since", "keyword", "source", "operator"))


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
    config = configuration.load(config_path, db=db)
    with opened(config, create=True) as store:
        new, old = people.add_contact(store, number, name, operator or getpass.getuser(),
                                      config.default_region)
    click.echo(f"{new.peer}: {new.name}" + (f" (was {old.name})" if old else ""))


@contact.command("remove")
@click.argument("number")
@operator_option
@store_options
def contact_remove(number: str, operator: str | None, config_path: str | None,
                   db: str | None) -> None:
    """Forget the name of NUMBER (or the contact of that name)."""
    config = configuration.load(config_path, db=db)
    with opened(config) as store:
        removed = people.remove_contact(store, number, operator or getpass.getuser(),
                                        config.default_region)
    click.echo(f"{removed.peer}: no longer named {removed.name}")


@contact.command("list")
@json_option
@store_options
def contact_list(as_json: bool, config_path: str | None, db: str | None) -> None:
    """Every contact, by name."""
    with opened(configuration.load(config_path, db=db)) as store:
        rows = [{"peer": c.peer, "name": c.name, "operator": c.operator,
                 "created_at": c.created_at} for c in store.contacts.list()]
    emit_json(rows) if as_json else table(rows, ("peer", "name", "operator", "created_at"))


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
    config = configuration.load(config_path, db=db)
    with opened(config) as store:
        number = None if peer is None else people.peer_for(store, peer, config.default_region)
        rows = store.views.audit(peer=number, operator=operator, limit=limit)
    emit_json(rows) if as_json else table(rows, AUDIT_COLUMNS)
