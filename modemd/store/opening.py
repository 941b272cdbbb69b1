"""Opening the database: refusals before anything is touched, WAL, busy timeout, FULL sync,
migrations; SQLite's faults raised as StoreErrors.

Opening runs, in order: the file checks of faults.check_files (stat only); SQLite opens
the file and reads its schema (garbage gives "file is not a database", no -wal appears);
a database that is not modemd's, or holds migrations this modemd does not know, is
refused; the daemon's verify step (quick_check, the write lock); only then WAL and
migrations, under an flock on the folder, and only if something is missing. A new
database is made whole under that flock, so a reader never mistakes one being made
for none.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from modemd.store.faults import (
    StoreCorrupt,
    StoreError,
    StoreReadOnly,
    StoreTooNew,
    check_files,
    damaged,
    free_bytes,
    full,
    is_empty,
    locked,
    missing,
)
from modemd.store.migrations import MIGRATIONS

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 10_000
# A write needs room for its WAL frames (a page plus a 24-byte header each) and, later,
# for the checkpoint that copies them into the file. 256 frames (about 1 MiB with 4 KiB
# pages) hold a dozen message-sized transactions (about ten pages each) and their
# checkpoint, and are nothing on a real disk.
ROOM_FRAMES = 256
WAL_FRAME_HEADER = 24



def room_needed(page_size: int = 4096) -> int:
    return ROOM_FRAMES * (page_size + WAL_FRAME_HEADER)


_MESSAGES: dict[int, tuple[type[StoreError], str]] = {
    sqlite3.SQLITE_IOERR: (StoreError, "disk I/O error on the database {path} ({error}): check "
                           "the disk (`dmesg`), then try again"),
    sqlite3.SQLITE_NOTADB: (StoreCorrupt, "{path} is not a SQLite database ({error}): if --db "
                            "names the wrong file, fix it; else move it aside and restore a "
                            "backup, or let `modemd run` start a new one"),
    sqlite3.SQLITE_READONLY: (StoreReadOnly, "SQLite cannot write the database {path} ({error}): "
                              "make it, its -wal/-shm and its folder writable, or point --db "
                              "elsewhere"),
    sqlite3.SQLITE_CANTOPEN: (StoreError, "cannot open the database {path} ({error}): check that "
                              "it and its folder exist and are readable and writable, or point "
                              "--db elsewhere"),
}


def fault(error: sqlite3.Error, path: Path) -> StoreError | None:
    """The StoreError an SQLite error means; None for the caller's own (SQL, constraints)."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return locked(path, BUSY_TIMEOUT_MS / 1000)
    if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR
                                       and free_bytes(path) < room_needed()):
        return full(path)  # ENOSPC while growing the -shm comes as an I/O error
    if code == sqlite3.SQLITE_CORRUPT:
        return damaged(path, str(error))
    if code in _MESSAGES:
        kind, text = _MESSAGES[code]
        return kind(text.format(path=path, error=error))
    return None


@contextmanager
def store_errors(path: Path) -> Iterator[None]:
    """SQLite errors that are faults of the database become StoreErrors; others pass."""
    try:
        yield
    except sqlite3.Error as error:
        mapped = fault(error, path)
        if mapped is None:
            raise
        raise mapped from error


def connect(path: Path | str, *, create: bool = True, verify: bool = False) -> Connection:
    """A checked connection in autocommit mode: every write goes through Database.write().

    create: a missing database may be made here. verify: the daemon's start-up checks.
    """
    path = Path(path)
    if str(path) == ":memory:":
        return _opened(path, verify=verify, holding=True)
    check_files(path, create=create)
    if not is_empty(path):
        return _opened(path, verify=verify, holding=False)
    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot make the folder for the database {path}: {error}: "
                             "point --db elsewhere") from error
    with _setting_up(path):  # made whole under the lock: readers wait for its maker
        if not create and is_empty(path):
            raise missing(path)
        if not path.exists():  # SQLite would make it 0644 & ~umask: let the umask decide
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666))
        return _opened(path, verify=verify, holding=True)


def folded_contains(text: str | None, folded: str | None) -> bool:
    """SQL folded_contains(text, folded): casefolded words in text, case ignored in
    every script (SQLite's LIKE and lower() fold ASCII letters only: not Ł, not Σ)."""
    return text is not None and folded is not None and folded in text.casefold()


class Connection(sqlite3.Connection):
    """sqlite3's connection with a flag: did this transaction write an event?"""

    events_written = False


def _opened(path: Path, *, verify: bool, holding: bool) -> Connection:
    with store_errors(path):
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000, factory=Connection)
    try:
        with store_errors(path):
            return _prepared(conn, path, verify=verify, holding=holding)
    except BaseException:
        conn.close()  # a refused database keeps no -wal/-shm of ours
        raise


def _prepared(conn: Connection, path: Path, *, verify: bool, holding: bool) -> Connection:
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous=FULL")  # appliances lose power; queue state must hold
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA recursive_triggers=ON")  # as sqlite-utils sets it
    conn.create_function("folded_contains", 2, folded_contains, deterministic=True)
    _refuse_foreign(conn, path)
    if verify:
        _verify(conn, path)
    wal = conn.execute("PRAGMA journal_mode").fetchone()[0] in ("wal", "memory")
    if wal and not MIGRATIONS.pending_names(conn):  # plain sqlite3: no sqlite-utils import
        return conn
    with contextlib.nullcontext() if holding else _setting_up(path):
        conn.execute("PRAGMA journal_mode=WAL")
        MIGRATIONS.apply(utils_database(conn))
    return conn


def utils_database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils over this connection, imported now (about 80 ms of start-up, which
    only migrations and tools need)."""
    import sqlite_utils  # noqa: PLC0415

    return sqlite_utils.Database(conn, execute_plugins=False)


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """Not modemd's, or from a newer modemd: refused before any migration runs."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master "
                                             "WHERE type = 'table'")}
    if not tables:
        return
    if MIGRATIONS.migrations_table not in tables:
        raise StoreCorrupt(
            f"{path} is a SQLite database but not modemd's (tables {sorted(tables)[:5]}, no "
            f"{MIGRATIONS.migrations_table}): point --db at modemd's database")
    known = set(MIGRATIONS.names())
    unknown = [name for name in MIGRATIONS.applied_names(conn) if name not in known]
    if unknown:
        import importlib.metadata  # noqa: PLC0415  (25-40 ms that every command paid)

        raise StoreTooNew(
            f"the database {path} was written by a newer modemd (migrations {unknown} are "
            f"unknown to modemd {importlib.metadata.version('modemd')}); it was left as it is. "
            "Run the newer modemd, or restore a backup made before the upgrade")


def _verify(conn: sqlite3.Connection, path: Path) -> None:
    """The daemon's start-up check. quick_check reads every page once, so it finds a
    damaged page or b-tree at a cost linear in the file (about 0.7 s for 100 000
    messages, 53 MB); integrity_check also matches every index against its table and
    takes about twice as long, and a damaged index still fails the query that reads
    it. Agent commands skip it (a plain open takes 5 ms): they run often, and fail
    cleanly on a page they cannot read."""
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as error:
        if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_CORRUPT:
            raise
        raise damaged(path, f"PRAGMA quick_check: {error}") from error  # too damaged to list
    if rows != ["ok"]:
        problems = [line for row in rows for line in row.splitlines()
                    if not line.startswith("*** ")]
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        raise damaged(path, f"PRAGMA quick_check: {problems[0]}{more}")
    conn.execute("BEGIN IMMEDIATE")  # another writer holding on fails now, after the wait
    conn.execute("ROLLBACK")


@contextmanager
def _setting_up(path: Path) -> Iterator[None]:
    """One opener at a time switches to WAL and migrates (processes and threads): an
    flock on the folder, so no lock file appears beside the database."""
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise locked(path, BUSY_TIMEOUT_MS / 1000) from None
                time.sleep(0.01)
        yield
    finally:
        os.close(folder)


