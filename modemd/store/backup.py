"""A consistent copy of the database while the daemon runs: SQLite's online backup API
from a read-only connection.

The copy is taken in one step (pages=-1): one read transaction, so it is one moment of
the database. In WAL mode a reader never blocks the daemon's writes (a step-wise
backup would restart whenever the daemon commits, and might never finish). The copy
is written to a hidden file beside the target, switched to a single file (no -wal),
checked with PRAGMA integrity_check and fsynced; only then does it take the target's
name, so a failed or interrupted backup never leaves a half file under that name.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from modemd.errors import InvalidInputError
from modemd.store.db import BUSY_TIMEOUT_MS, store_errors
from modemd.store.faults import StoreCorrupt, StoreError, missing
from modemd.store.migrations import MIGRATIONS


def backup(source: Path | str, target: Path | str, *, force: bool = False) -> dict:
    """Copy the database at source to target; {path, bytes, messages, seconds}.
    An existing target is refused unless force (then replaced atomically)."""
    source, target = Path(source), Path(target).absolute()
    _check_target(source, target, force=force)
    started = time.monotonic()
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                       suffix=".partial")  # 0600: a backup is private
    os.close(handle)
    try:
        messages = _copy(source, Path(partial))
        _publish(Path(partial), target, force=force)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
    return {"path": str(target), "bytes": target.stat().st_size, "messages": messages,
            "seconds": round(time.monotonic() - started, 3)}


def _check_target(source: Path, target: Path, *, force: bool) -> None:
    if not source.is_file():
        raise missing(source)
    if target.is_dir():
        raise InvalidInputError(f"{target} is a folder: give the backup a file name, e.g. "
                                f"{target / 'modemd-backup.db'}")
    if not target.parent.is_dir():
        raise InvalidInputError(f"the folder {target.parent} does not exist: create it, or "
                                "give a PATH in a folder that does")
    if target.exists() and target.samefile(source):
        raise InvalidInputError(f"{target} is the database itself: give the backup another "
                                "PATH")
    if target.exists() and not force:
        raise InvalidInputError(f"{target} exists: choose another PATH, or add --force to "
                                "replace it")


def _copy(source: Path, partial: Path) -> int:
    """The backup into partial, checked; how many messages it holds."""
    uri = f"file:{urllib.parse.quote(str(source.absolute()))}?mode=ro"
    with store_errors(source), contextlib.closing(
            sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)) as reader:
        _refuse_foreign(reader, source)
        with _writing(partial) as copy:
            reader.backup(copy)
    with _writing(partial) as copy:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise StoreCorrupt(f"the copy of {source} fails PRAGMA integrity_check "
                               f"({problems[0]}): the database itself is likely damaged; "
                               f"nothing was written. Check it with `sqlite3 {source} "
                               "'PRAGMA integrity_check'`")
        return int(copy.execute("SELECT COUNT(*) FROM messages").fetchone()[0])


# What writing the copy can run into; the rest (busy, damaged) is the source's.
_WRITE_FAULTS = (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN,
                 sqlite3.SQLITE_READONLY)


@contextlib.contextmanager
def _writing(partial: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the copy; its faults (a full disk) said as the backup's."""
    try:
        with contextlib.closing(sqlite3.connect(partial, isolation_level=None)) as copy:
            yield copy
    except sqlite3.Error as error:
        if (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF not in _WRITE_FAULTS:
            raise
        raise StoreError(f"cannot write the backup beside {partial.parent} ({error}): free "
                         "space there or choose another PATH; nothing was written") from error


def _refuse_foreign(reader: sqlite3.Connection, source: Path) -> None:
    found = reader.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           (MIGRATIONS.migrations_table,)).fetchone()
    if not found:
        raise StoreCorrupt(f"{source} is not modemd's database (no "
                           f"{MIGRATIONS.migrations_table} table): point --db at it")


def _publish(partial: Path, target: Path, *, force: bool) -> None:
    """fsync the copy, then give it the target's name: replaced with --force, else
    linked (which fails rather than overwrite a file that appeared meanwhile)."""
    with open(partial, "rb+") as copy:
        os.fsync(copy.fileno())
    try:
        if force:
            os.replace(partial, target)
        else:
            os.link(partial, target)
    except FileExistsError:
        raise InvalidInputError(f"{target} appeared while the backup ran: choose another "
                                "PATH, or add --force to replace it") from None
    folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)  # the new name survives a power cut too
    finally:
        os.close(folder)
