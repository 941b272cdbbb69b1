"""Options every store-using command shares, and opening the store they point at."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from modemd import config as configuration
from modemd.api.reach import unwritable
from modemd.store import Store, StoreError


def store_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--db", "db", default=None, metavar="PATH",
                           help="Database file [env MODEMD_DB; else `database` in the config; "
                           "else ./modemd.db]; only run, send, contact add, optout add and watch "
                           "create a missing one."
                           )(command)
    return click.option("--config", "config_path", default=None, metavar="PATH",
                        help="Configuration TOML [env MODEMD_CONFIG; else ./modemd.toml; else "
                        "/etc/modemd/modemd.toml].")(command)


@contextmanager
def opened(config: configuration.Config, *, create: bool = False,
           admin: bool = False) -> Iterator[Store]:
    """The store the configuration points at, closed afterwards. create: a missing
    database may be made (`send` works before the daemon ever ran); commands that read
    say there is none rather than leave an empty file. admin: a command that works on
    the database itself, never through the API (tokens, prune): a user who may not
    write it is told who may."""
    try:
        store = Store(config.database, create=create)
    except StoreError as error:
        if admin and unwritable(error):
            words = click.get_current_context().command_path.split()[1:]
            command = " ".join(["modemd", *words])  # whatever the program was called
            raise type(error)(f"{error}; `{command}` works on the database itself, so it "
                              "is for admins: run it as root or as the daemon's user "
                              f"(sudo -u modemd {command} ...)") from error
        raise
    try:
        yield store
    finally:
        store.close()


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)


def operator_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """--operator: who is acting, recorded in the audit (default: the invoking user)."""
    return click.option("--operator", default=None,
                        help="The agent doing it [default: your user name].")(command)
