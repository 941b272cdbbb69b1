"""API bearer tokens: one agent each, shown once when made, kept only as a sha256 hash.

Whoever can write the database (root, the modemd group) makes and revokes them, with
the daemon running or not: the API looks a token up in this table on every request, so
a revoked one stops working at its next request. Creating and revoking are audited.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import asdict, dataclass
from datetime import timedelta

from modemd.errors import InvalidInputError
from modemd.store.db import Database, iso, utc_now
from modemd.store.faults import StoreError
from modemd.store.transitions import NotFound, audit

SCHEME = "mdm_"  # marks a modemd token: secret scanners and people can tell it apart
PREFIX_LENGTH = 12  # SCHEME and 8 random characters: shown in listings, 48 bits of 256
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at: reads must not write every request
MAX_AGENT_LENGTH = 64
_COLUMNS = "id, agent, prefix, created_at, created_by, last_used_at, revoked_at"


@dataclass(frozen=True)
class Token:
    """A token as listed: never the token itself, nor its hash."""

    id: int
    agent: str
    prefix: str
    created_at: str
    created_by: str
    last_used_at: str | None
    revoked_at: str | None

    def public(self) -> dict:
        """The `modemd token list --json` object."""
        return asdict(self)


def check_agent(name: object) -> str:
    """An agent's name as the audit records it: printable, no spaces, at most 64
    characters. InvalidInputError says what is wrong otherwise."""
    if not isinstance(name, str) or not name:
        raise InvalidInputError("an agent's name is needed: a user name such as alice")
    bad = [c for c in name if c.isspace() or unicodedata.category(c).startswith("C")]
    if bad:
        raise InvalidInputError(f"agent name {name!r} has spaces or control characters "
                                f"({bad[0]!r}): use a user name such as alice")
    if len(name) > MAX_AGENT_LENGTH:
        raise InvalidInputError(f"agent name {name[:20]!r}... is {len(name)} characters: "
                                f"at most {MAX_AGENT_LENGTH}")
    return name


def digest(token: str) -> str:
    """What is stored for a token: its sha256, hex. 256 random bits need no slow hash:
    nobody can guess such a token from its hash."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Tokens:
    def __init__(self, database: Database) -> None:
        self.database = database

    def create(self, agent: str, created_by: str) -> tuple[str, Token]:
        """A new token for agent: (the token, to show once; its row)."""
        check_agent(agent)
        token = SCHEME + secrets.token_urlsafe(32)
        with self.database.write() as conn:
            cursor = conn.execute(
                "INSERT INTO api_tokens (agent, hash, prefix, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?)",
                (agent, digest(token), token[:PREFIX_LENGTH], iso(utc_now()), created_by))
            row_id = cursor.lastrowid
            assert row_id is not None
            audit(conn, created_by, "token_create", None,
                  f"token {row_id} ({token[:PREFIX_LENGTH]}) for {agent}")
        return token, self.get(row_id)

    def get(self, token_id: int) -> Token:
        row = self.database.one(f"SELECT {_COLUMNS} FROM api_tokens WHERE id = ?",
                                (token_id,))
        if row is None:
            raise NotFound(f"no API token {token_id}: see `modemd token list`")
        return Token(**row)

    def list(self) -> list[Token]:
        return [Token(**row) for row in
                self.database.query(f"SELECT {_COLUMNS} FROM api_tokens ORDER BY id")]

    def find(self, which: str) -> Token:
        """A token by id, by (the start of) its prefix, or by the whole token (one
        found in a log, say). NotFound without one; InvalidInputError when several
        match."""
        which = which.strip()
        if which.isdigit():
            return self.get(int(which))
        if len(which) > PREFIX_LENGTH:
            rows = self.database.query(f"SELECT {_COLUMNS} FROM api_tokens WHERE hash = ?",
                                       (digest(which),))
        else:
            rows = self.database.query(
                f"SELECT {_COLUMNS} FROM api_tokens WHERE substr(prefix, 1, ?) = ? "
                "ORDER BY id", (len(which), which))
        if not rows:
            raise NotFound(f"no API token matches {which!r}: give an id or a prefix as "
                           "`modemd token list` shows them")
        if len(rows) > 1:
            ids = ", ".join(str(row["id"]) for row in rows)
            raise InvalidInputError(f"{which!r} matches tokens {ids}: give the id")
        return Token(**rows[0])

    def revoke(self, which: str, operator: str) -> tuple[Token, bool]:
        """Revoke the token find(which) names: (its row now, whether this revoked it;
        False: it was revoked already, and nothing changed)."""
        token = self.find(which)
        with self.database.write() as conn:
            changed = conn.execute(
                "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (iso(utc_now()), token.id)).rowcount
            if changed:
                audit(conn, operator, "token_revoke", None,
                      f"token {token.id} ({token.prefix}) of {token.agent}")
        return self.get(token.id), bool(changed)

    def verify(self, token: str) -> Token | None:
        """The live token this is, None when unknown or revoked. Notes the use in
        last_used_at, at most once per TOUCH_EVERY."""
        hashed = digest(token)
        row = self.database.one(f"SELECT {_COLUMNS}, hash FROM api_tokens WHERE hash = ?",
                                (hashed,))
        if row is None or not hmac.compare_digest(row.pop("hash"), hashed):
            return None
        found = Token(**row)
        if found.revoked_at is not None:
            return None
        self._touch(found)
        return found

    def _touch(self, token: Token) -> None:
        now = utc_now()
        due = iso(now - TOUCH_EVERY)
        assert due is not None
        if token.last_used_at is not None and token.last_used_at > due:
            return
        # best effort: a full disk must not turn a valid token away (a write it asks
        # for fails on its own, with its own error)
        with contextlib.suppress(StoreError), self.database.write() as conn:
            conn.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ? "
                         "AND (last_used_at IS NULL OR last_used_at <= ?)",
                         (iso(now), token.id, due))
