"""Shell completion from the database: message ids, peers, contact names, line names.

click calls these on a Tab press (`_MODEMD_COMPLETE=bash_complete modemd ...`). Each
opens the database the command would use (--db, --config, $MODEMD_DB, as the command
resolves them) read-only with plain sqlite3: nothing is created or migrated, and a
missing or unreadable database, or a bad configuration, completes nothing, silently:
a Tab press must never print an error into the prompt.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from modemd import config as configuration
from modemd.errors import ModemdError

LIMIT = 50  # candidates per Tab: a shell shows no more usefully
_BUSY_MS = 200  # a daemon's write lasts milliseconds; a Tab press must not hang


def message_ids(ctx: click.Context, _param: click.Parameter,
                incomplete: str) -> list[CompletionItem]:
    """Ids starting with what is typed, newest first; help: direction, peer, text."""
    rows = _rows(ctx, "SELECT id, direction, peer, text FROM messages "
                 "WHERE CAST(id AS TEXT) LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?",
                 (_prefix(incomplete), LIMIT))
    return [CompletionItem(str(i), help=f"{d} {peer}: {_clip(text)}") for i, d, peer, text in rows]


def peers(ctx: click.Context, _param: click.Parameter,
          incomplete: str) -> list[CompletionItem]:
    """Numbers messages were exchanged with, or contacts have; help: the contact's name."""
    rows = _rows(ctx, "SELECT peer, max(name) FROM ("
                 " SELECT peer, NULL AS name FROM messages WHERE peer LIKE ?1 ESCAPE '\\'"
                 " UNION ALL SELECT peer, name FROM contacts WHERE peer LIKE ?1 ESCAPE '\\')"
                 " GROUP BY peer ORDER BY peer LIMIT ?2", (_prefix(incomplete), LIMIT))
    if not rows:  # before the contacts table existed
        rows = _rows(ctx, "SELECT DISTINCT peer, NULL FROM messages WHERE peer LIKE ? ESCAPE '\\' "
                     "ORDER BY peer LIMIT ?", (_prefix(incomplete), LIMIT))
    return [CompletionItem(peer, help=name) for peer, name in rows]


def recipients(ctx: click.Context, param: click.Parameter,
               incomplete: str) -> list[CompletionItem]:
    """What `send` takes: the peers, and the contacts' names."""
    rows = _rows(ctx, "SELECT name, peer FROM contacts WHERE name LIKE ? ESCAPE '\\' ORDER BY name "
                 "LIMIT ?", (_prefix(incomplete), LIMIT))
    return peers(ctx, param, incomplete) + [CompletionItem(name, help=peer)
                                            for name, peer in rows]


def line_names(ctx: click.Context, _param: click.Parameter,
               incomplete: str) -> list[CompletionItem]:
    """Named lines; help: the line's own number and state."""
    rows = _rows(ctx, "SELECT name, own_number, state FROM lines WHERE name LIKE ? ESCAPE '\\' "
                 "ORDER BY name LIMIT ?", (_prefix(incomplete), LIMIT))
    return [CompletionItem(name, help=" ".join(filter(None, (number, state))))
            for name, number, state in rows]


def _rows(ctx: click.Context, sql: str, params: tuple) -> list[tuple]:
    """The query's rows, or none for any fault (no database, a table missing)."""
    try:
        with _read_only(_database(ctx)) as conn:
            return conn.execute(sql, params).fetchall()
    except (sqlite3.Error, ModemdError, OSError, ValueError):
        return []


def _database(ctx: click.Context) -> Path:
    """The database the command would open: --db and --config typed so far count."""
    return configuration.load(ctx.params.get("config_path"), db=ctx.params.get("db")).database


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection that leaves no file behind. Without a -wal beside it
    nobody has the database open and all of it is in the main file: read that alone
    (immutable), since a plain read-only open would leave a -wal and -shm there."""
    if not path.is_file():  # SQLite would say so too, but only after trying to open it
        raise FileNotFoundError(path)
    in_use = path.with_name(path.name + "-wal").exists()
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{'' if in_use else '&immutable=1'}",
                           uri=True, timeout=_BUSY_MS / 1000)
    try:
        yield conn
    finally:
        conn.close()


def _prefix(incomplete: str) -> str:
    """A LIKE pattern (ESCAPE '\\') for values starting with incomplete, taken literally."""
    return incomplete.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _clip(text: str | None, width: int = 40) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
