"""Named migrations, registered without importing sqlite-utils.

sqlite-utils applies them, but importing it costs about 80 ms (its dependencies
compile many regular expressions), which every `modemd send` and `modemd inbox`
paid to learn that nothing was pending. Here the names are registered, the
database's record of them (the `_sqlite_migrations` table that sqlite-utils keeps)
is read with plain sqlite3, and sqlite-utils' own Migrations is built, from the same
registrations, only when something is to be applied.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

Migration = Callable[["sqlite_utils.Database"], None]


class Migrations:
    """The decorator of sqlite_utils.Migrations (`@MIGRATIONS(name=..., transactional=...)`);
    names() and applied_names()/pending_names() need no sqlite-utils, apply() does."""

    migrations_table = "_sqlite_migrations"  # sqlite-utils' name for its record

    def __init__(self, name: str) -> None:
        self.name = name
        self._registered: list[tuple[str, Migration, bool]] = []
        self._tool: Any = None
        self._building = threading.Lock()

    def __call__(self, *, name: str | None = None,
                 transactional: bool = True) -> Callable[[Migration], Migration]:
        def register(function: Migration) -> Migration:
            migration_name = name or function.__name__
            if migration_name in self.names():
                raise ValueError(f"migration {migration_name!r} is registered twice in "
                                 f"{self.name!r}")
            with self._building:
                self._registered.append((migration_name, function, transactional))
                self._tool = None  # built again, with this one, when next needed
            return function

        return register

    def names(self) -> list[str]:
        """Every migration this modemd knows, in the order they apply."""
        return [name for name, _, _ in self._registered]

    def applied_names(self, conn: sqlite3.Connection) -> list[str]:
        """The names the database records as applied, in the order they were (as
        sqlite_utils.Migrations.applied reads them)."""
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                              (self.migrations_table,)).fetchone()
        if exists is None:
            return []
        return [row[0] for row in conn.execute(
            f'SELECT name FROM "{self.migrations_table}" WHERE migration_set = ? '
            "ORDER BY rowid", (self.name,))]

    def pending_names(self, conn: sqlite3.Connection) -> list[str]:
        applied = set(self.applied_names(conn))
        return [name for name in self.names() if name not in applied]

    def tool(self) -> sqlite_utils.Migrations:
        """sqlite-utils' Migrations holding the same registrations, imported now."""
        with self._building:
            if self._tool is None:
                from sqlite_utils import Migrations as Tool  # noqa: PLC0415  (see above)

                tool = Tool(self.name)
                for name, function, transactional in self._registered:
                    tool(name=name, transactional=transactional)(function)
                self._tool = tool
            return self._tool

    def apply(self, db: sqlite_utils.Database, **options: Any) -> None:
        """sqlite_utils.Migrations.apply (stop_before= too)."""
        self.tool().apply(db, **options)
