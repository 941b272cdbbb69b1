"""Quick lookups for shell completion: read-only, plain sqlite3, nothing created or
migrated. Each returns rows, or none for any fault (no database, a table missing): a
Tab press must never print an error into the prompt."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

LIMIT = 50  # candidates per Tab: a shell shows no more usefully
_BUSY_MS = 200  # a daemon's write lasts milliseconds; a Tab press must not hang


def message_ids(path: Path, prefix: str) -> list[tuple]:
    """(id, direction, peer, text) of ids starting with prefix, newest first."""
    return _rows(path, "SELECT id, direction, peer, text FROM messages "
                 "WHERE CAST(id AS TEXT) LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?",
                 (_like(prefix), LIMIT))


def peers(path: Path, prefix: str) -> list[tuple]:
    """(peer, contact name or None): numbers messages were exchanged with, or contacts."""
    rows = _rows(path, "SELECT peer, max(name) FROM ("
                 " SELECT peer, NULL AS name FROM messages WHERE peer LIKE ?1 ESCAPE '\\'"
                 " UNION ALL SELECT peer, name FROM contacts WHERE peer LIKE ?1 ESCAPE '\\')"
                 " GROUP BY peer ORDER BY peer LIMIT ?2", (_like(prefix), LIMIT))
    if not rows:  # a database from before the contacts table
        rows = _rows(path, "SELECT DISTINCT peer, NULL FROM messages WHERE peer LIKE ? "
                     "ESCAPE '\\' ORDER BY peer LIMIT ?", (_like(prefix), LIMIT))
    return rows


def contact_names(path: Path, prefix: str) -> list[tuple]:
    """(name, peer) of contacts whose name starts with prefix."""
    return _rows(path, "SELECT name, peer FROM contacts WHERE name LIKE ? ESCAPE '\\' "
                 "ORDER BY name LIMIT ?", (_like(prefix), LIMIT))


def line_names(path: Path, prefix: str) -> list[tuple]:
    """(name, own number, state) of named lines."""
    return _rows(path, "SELECT name, own_number, state FROM lines WHERE name LIKE ? "
                 "ESCAPE '\\' ORDER BY name LIMIT ?", (_like(prefix), LIMIT))


def _rows(path: Path, sql: str, params: tuple) -> list[tuple]:
    try:
        with _read_only(path) as conn:
            return conn.execute(sql, params).fetchall()
    except (sqlite3.Error, OSError, ValueError):
        return []


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


def _like(incomplete: str) -> str:
    """A LIKE pattern (ESCAPE '\\') for values starting with incomplete, taken literally."""
    return incomplete.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
