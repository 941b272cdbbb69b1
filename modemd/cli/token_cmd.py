"""`modemd token`: the bearer tokens of the API's TCP listener."""

from __future__ import annotations

import getpass

import click

from modemd import config as configuration
from modemd.cli.common import json_option, opened, store_options
from modemd.cli.output import emit_json, table

COLUMNS = ("id", "agent", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")


@click.group()
def token() -> None:
    """Bearer tokens for the API over TCP: create one per agent, list, revoke.

    Only a hash of each token is kept: `create` shows the token once. The daemon
    checks tokens in the database at each request, so these work while it runs or
    not, and a revoked token is refused at its next request. On the Unix socket no
    token is needed: the agent is the connecting user.
    """


@token.command("create")
@click.argument("agent")
@json_option
@store_options
def token_create(agent: str, as_json: bool, config_path: str | None, db: str | None) -> None:
    """A new token for AGENT (the name the audit records); printed once, never again."""
    with opened(configuration.load(config_path, db=db), create=True, admin=True) as store:
        secret, made = store.tokens.create(agent, getpass.getuser())
    if as_json:
        emit_json({"token": secret, **made.public()})
        return
    click.echo(secret)
    click.echo(f"token {made.id} for {made.agent}: keep it now, it is not shown again "
               f"(revoke it with `modemd token revoke {made.id}`)", err=True)


@token.command("list")
@json_option
@store_options
def token_list(as_json: bool, config_path: str | None, db: str | None) -> None:
    """Every token: its agent, prefix, when made and last used, revoked or not."""
    with opened(configuration.load(config_path, db=db), admin=True) as store:
        rows = [made.public() for made in store.tokens.list()]
    emit_json(rows) if as_json else table(rows, COLUMNS)


@token.command("revoke")
@click.argument("which", metavar="ID_OR_PREFIX")
@store_options
def token_revoke(which: str, config_path: str | None, db: str | None) -> None:
    """Revoke a token by its id or prefix (as `token list` shows) or the whole token."""
    with opened(configuration.load(config_path, db=db), admin=True) as store:
        revoked, changed = store.tokens.revoke(which, getpass.getuser())
    if changed:
        click.echo(f"token {revoked.id} ({revoked.prefix}) of {revoked.agent}: revoked")
    else:
        click.echo(f"token {revoked.id} ({revoked.prefix}) of {revoked.agent}: revoked "
                   f"already, at {revoked.revoked_at}")
