"""Contacts: a name for a number, shown in every listing and usable by `modemd send`."""

from __future__ import annotations

from dataclasses import dataclass

from modemd.errors import InvalidInputError
from modemd.store.db import Database, iso, utc_now
from modemd.store.transitions import audit

MAX_NAME = 80


@dataclass(frozen=True)
class Contact:
    peer: str
    name: str
    operator: str
    created_at: str


class Contacts:
    def __init__(self, database: Database) -> None:
        self.database = database

    def list(self) -> list[Contact]:
        rows = self.database.query("SELECT peer, name, operator, created_at FROM contacts "
                                   "ORDER BY name COLLATE NOCASE, peer")
        return [Contact(**row) for row in rows]

    def get(self, peer: str) -> Contact | None:
        row = self.database.one("SELECT peer, name, operator, created_at FROM contacts "
                                "WHERE peer = ?", (peer,))
        return None if row is None else Contact(**row)

    def named(self, name: str) -> list[Contact]:
        """Contacts whose name is exactly this one, ignoring case."""
        wanted = name.strip().casefold()
        return [c for c in self.list() if c.name.casefold() == wanted]

    def add(self, peer: str, name: str, operator: str) -> Contact | None:
        """Name the number (renaming it if it had a name); the contact it replaced."""
        name = _checked_name(name)
        with self.database.write() as conn:
            old = self.get(peer)
            conn.execute("INSERT INTO contacts (peer, name, operator, created_at) "
                         "VALUES (?, ?, ?, ?) ON CONFLICT (peer) DO UPDATE SET "
                         "name = excluded.name, operator = excluded.operator",
                         (peer, name, operator, iso(utc_now())))
            detail = f"named {name!r}" + (f" (was {old.name!r})" if old else "")
            audit(conn, operator, "contact_add", None, detail, peer=peer)
        return old

    def remove(self, peer: str, operator: str) -> Contact | None:
        """Forget the number's name; the contact removed, None if it had none."""
        with self.database.write() as conn:
            old = self.get(peer)
            if old is not None:
                conn.execute("DELETE FROM contacts WHERE peer = ?", (peer,))
                audit(conn, operator, "contact_remove", None, f"was {old.name!r}", peer=peer)
        return old


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInputError("the contact name is empty: give a name, e.g. \"Ada Lovelace\"")
    if len(name) > MAX_NAME:
        raise InvalidInputError(f"the contact name has {len(name)} characters; the limit is "
                                f"{MAX_NAME}: shorten it")
    if name.startswith("+") or name[0].isdigit():
        raise InvalidInputError(f"the contact name {name!r} starts like a phone number, so "
                                "`modemd send` could not tell them apart: start it with a letter")
    return name
