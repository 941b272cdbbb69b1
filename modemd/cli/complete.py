"""Shell completion from the database: message ids, peers, contact names, line names.

click calls these on a Tab press (`_MODEMD_COMPLETE=bash_complete modemd ...`). Each
reads the database the command would use (--db, --config, $MODEMD_DB, as the command
resolves them) through modemd.store.lookups: read-only, nothing created or migrated;
a missing or unreadable database, or a bad configuration, completes nothing, silently.
"""

from __future__ import annotations

from pathlib import Path

import click
from click.shell_completion import CompletionItem

from modemd import config as configuration
from modemd.errors import ModemdError
from modemd.store import lookups


def message_ids(ctx: click.Context, _param: click.Parameter,
                incomplete: str) -> list[CompletionItem]:
    """Ids starting with what is typed, newest first; help: direction, peer, text."""
    return [CompletionItem(str(i), help=f"{d} {peer}: {_clip(text)}")
            for i, d, peer, text in _lookup(ctx, lookups.message_ids, incomplete)]


def peers(ctx: click.Context, _param: click.Parameter,
          incomplete: str) -> list[CompletionItem]:
    """Numbers messages were exchanged with, or contacts have; help: the contact's name."""
    return [CompletionItem(peer, help=name)
            for peer, name in _lookup(ctx, lookups.peers, incomplete)]


def recipients(ctx: click.Context, param: click.Parameter,
               incomplete: str) -> list[CompletionItem]:
    """What `send` takes: the peers, and the contacts' names."""
    return peers(ctx, param, incomplete) + [
        CompletionItem(name, help=peer)
        for name, peer in _lookup(ctx, lookups.contact_names, incomplete)]


def line_names(ctx: click.Context, _param: click.Parameter,
               incomplete: str) -> list[CompletionItem]:
    """Named lines; help: the line's own number and state."""
    return [CompletionItem(name, help=" ".join(filter(None, (number, state))))
            for name, number, state in _lookup(ctx, lookups.line_names, incomplete)]


def _lookup(ctx: click.Context, lookup, incomplete: str) -> list[tuple]:
    try:
        path = _database(ctx)
    except (ModemdError, OSError, ValueError):  # a bad configuration: nothing to offer
        return []
    return lookup(path, incomplete)


def _database(ctx: click.Context) -> Path:
    """The database the command would open: --db and --config typed so far count."""
    return configuration.load(ctx.params.get("config_path"), db=ctx.params.get("db")).database


def _clip(text: str | None, width: int = 40) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
