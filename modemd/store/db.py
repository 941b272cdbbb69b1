"""Opening the database: WAL, busy timeout, FULL sync, migrations; BEGIN IMMEDIATE writes."""

from __future__ import annotations

import fcntl
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from modemd.errors import ModemdError
from modemd.store.migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 10_000


class StoreError(ModemdError):
    """The database cannot be used: path, permissions, corruption or a locked file."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, as the JSON contract shows times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def connect(path: Path | str) -> sqlite_utils.Database:
    """A connection in autocommit mode: every write goes through write()."""
    try:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        with _opening(path):
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # appliances lose power; queue state must hold
            conn.execute("PRAGMA foreign_keys=ON")
            db = sqlite_utils.Database(conn, execute_plugins=False)
            MIGRATIONS.apply(db)
    except (sqlite3.Error, OSError) as error:
        raise StoreError(
            f"cannot open the database {path}: {error}. Check the path and its permissions "
            "(--db, $MODEMD_DB or `database` in the config)"
        ) from error
    return db


@contextmanager
def _opening(path: Path | str) -> Iterator[None]:
    """One opener at a time per file (threads and processes): WAL switch + migrations."""
    if str(path) == ":memory:":
        yield
        return
    with open(f"{path}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


class Database:
    """One connection, shared by threads, with one writer at a time."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self.db = connect(path)
        self._lock = threading.RLock()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: the write lock is taken up front, so no
        deadlock between readers that later want to write."""
        with self._lock:
            conn = self.db.conn
            if conn.in_transaction:  # nested: join the outer transaction
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        with self._lock:
            return list(self.db.query(sql, params))

    def one(self, sql: str, params: tuple | dict = ()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def close(self) -> None:
        with self._lock:
            self.db.close()
