"""The database as the store uses it: one connection shared by threads, BEGIN IMMEDIATE
writes with a reserve of free disk, read snapshots, rows as dicts; times as the JSON
contract writes them. Opening it (the refusals, WAL, migrations) is opening.py's.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from modemd.store.faults import StoreError, free_bytes, full
from modemd.store.opening import (
    BUSY_TIMEOUT_MS,
    Connection,
    connect,
    room_needed,
    store_errors,
    utils_database,
)
from modemd.wake import notify_watchers

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["BUSY_TIMEOUT_MS", "Connection", "Database", "StoreError", "connect", "iso",
           "store_errors", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, as the JSON contract shows times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Database:
    """One connection, shared by threads, with one writer at a time."""

    def __init__(self, path: Path | str, *, create: bool = True, verify: bool = False) -> None:
        self.path = path
        self._file = Path(path)
        self.conn = connect(path, create=create, verify=verify)
        self._utils: sqlite_utils.Database | None = None
        self._lock = threading.RLock()
        self._writing = False
        self._room = room_needed(self.conn.execute("PRAGMA page_size").fetchone()[0])
        # after a commit that wrote events: wake whoever follows them (`modemd watch`)
        self.on_events: Callable[[], None] = (
            (lambda: None) if str(path) == ":memory:" else lambda: notify_watchers(self._file))

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils' Database over the same connection, made on first use."""
        with self._lock:
            if self._utils is None:
                self._utils = utils_database(self.conn)
            return self._utils

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: the write lock is taken up front, so no
        deadlock between readers that later want to write. A full disk raises
        StoreFull, a lock held past the busy timeout StoreLocked; either way the
        transaction is rolled back whole. Below the reserve of free space nothing is
        begun: a WAL with room left would take writes until a checkpoint fails."""
        with self._lock:
            conn = self.conn
            if self._writing:  # nested: join the outer transaction
                yield conn
                return
            if not self.has_room():
                raise full(self._file)
            with store_errors(self._file):
                if conn.in_transaction:  # left open by a failed read: it holds no write
                    conn.execute("ROLLBACK")
                conn.execute("BEGIN IMMEDIATE")
                self._writing = True
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:  # SQLite may have rolled back already
                        with contextlib.suppress(sqlite3.Error):  # keep the first error
                            conn.execute("ROLLBACK")
                    raise
                finally:
                    self._writing = False
                    announce, conn.events_written = conn.events_written, False
            if announce and not conn.in_transaction:
                self._announce()

    def _announce(self) -> None:
        try:  # committed already: a follower's trouble must not fail the write
            self.on_events()
        except OSError as error:
            import logging  # noqa: PLC0415  (5 ms that every command would pay)

            logging.getLogger(__name__).debug("could not nudge the followers of %s: %s",
                                              self._file, error)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Queries inside see one state of the database (one WAL read transaction), so a
        message and its parts never disagree because a commit fell between them."""
        with self._lock:
            conn = self.conn
            if conn.in_transaction:  # inside a write, or a snapshot already
                yield
                return
            with store_errors(self._file):
                conn.execute("BEGIN")
            try:
                yield
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")  # it only read

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        """The rows as dicts, read with plain sqlite3; writes go through write()."""
        with self._lock, store_errors(self._file):
            conn, outside = self.conn, not self.conn.in_transaction
            try:
                cursor = conn.execute(sql, params)
                if cursor.description is None:
                    raise ValueError(f"query() is for statements that return rows: {sql}")
                keys = _keys(cursor.description)
                return [dict(zip(keys, row, strict=True)) for row in cursor]
            except sqlite3.Error:
                # a failure in the middle of the rows (a damaged page) must leave no
                # transaction open: the next write would join it
                if outside and conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

    def one(self, sql: str, params: tuple | dict = ()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def free_bytes(self) -> int | None:
        """Free bytes on the filesystem holding the database (None in memory)."""
        return None if str(self.path) == ":memory:" else free_bytes(self._file)

    def has_room(self) -> bool:
        """Whether a write can be expected to fit now: ROOM_FRAMES WAL frames free.

        statvfs rather than a trial write: in WAL mode a rolled-back transaction never
        reaches the disk (its pages stay in the cache until COMMIT), so it proves
        nothing, and a committed one costs an fsync and changes the file. One statvfs
        call takes microseconds, touches nothing and works while the disk is full. A
        write can still fail (quotas, a race with another writer): StoreFull then."""
        free = self.free_bytes()
        return free is None or free >= self._room

    def disk_state(self) -> dict:
        """For `modemd status`: where the database is and whether its disk has room."""
        return {"path": str(self.path) if str(self.path) == ":memory:"
                else os.path.abspath(self.path),
                "free_bytes": self.free_bytes(), "full": not self.has_room()}

    def close(self) -> None:
        with self._lock:
            self.conn.close()


def _keys(description: tuple) -> list[str]:
    """A row's column names; repeated ones renamed as sqlite-utils renames them."""
    keys = [column[0] for column in description]
    if len(set(keys)) == len(keys):
        return keys
    from sqlite_utils.db import dedupe_keys  # noqa: PLC0415  (rare: a join's two ids)

    return dedupe_keys(keys)
