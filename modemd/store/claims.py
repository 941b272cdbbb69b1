"""Conversation claims: one agent owns the conversation with a peer; the desk refuses
other agents' texts to it unless they force them (desk/claims.py says so). Taking,
taking over and releasing are audited; the claim itself is one row per peer."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from modemd.store.db import Database, iso, utc_now
from modemd.store.transitions import audit


@dataclass(frozen=True)
class ConversationClaim:
    peer: str
    operator: str  # the agent who holds it
    since: str


@dataclass(frozen=True)
class Taken:
    """What a claim did: the claim in force afterwards (another agent's when refused),
    and the one before it (None: the conversation was free)."""

    holder: ConversationClaim
    previous: ConversationClaim | None


@dataclass(frozen=True)
class Released:
    """previous: the claim there was (None: none); released: whether it is gone."""

    previous: ConversationClaim | None
    released: bool


class Claims:
    def __init__(self, database: Database) -> None:
        self.database = database

    def get(self, peer: str) -> ConversationClaim | None:
        row = self.database.one("SELECT peer, operator, since FROM claims WHERE peer = ?",
                                (peer,))
        return None if row is None else ConversationClaim(**row)

    def claim(self, peer: str, operator: str, *, force: bool = False) -> Taken:
        """The operator takes the conversation. Another agent's claim stays unless force
        (then it is taken over, the audit saying from whom); one's own claim again
        changes nothing."""
        with self.database.write() as conn:
            previous = holder_on(conn, peer)
            if previous is not None and (previous.operator == operator or not force):
                return Taken(previous, previous)
            now = iso(utc_now())
            assert now is not None
            conn.execute("INSERT INTO claims (peer, operator, since) VALUES (?, ?, ?) "
                         "ON CONFLICT (peer) DO UPDATE SET operator = excluded.operator, "
                         "since = excluded.since", (peer, operator, now))
            detail = ("claimed" if previous is None else
                      f"taken over from {previous.operator} (theirs since {previous.since})")
            audit(conn, operator, "claim", None, detail, peer=peer)
            return Taken(ConversationClaim(peer, operator, now), previous)

    def release(self, peer: str, operator: str, *, force: bool = False) -> Released:
        """Only the holder releases a claim, or anyone with force (audited as whose)."""
        with self.database.write() as conn:
            previous = holder_on(conn, peer)
            if previous is None or (previous.operator != operator and not force):
                return Released(previous, released=False)
            conn.execute("DELETE FROM claims WHERE peer = ?", (peer,))
            detail = ("released" if previous.operator == operator else
                      f"released {previous.operator}'s claim (since {previous.since}), forced")
            audit(conn, operator, "release", None, detail, peer=peer)
            return Released(previous, released=True)

    def sent_over(self, claim: ConversationClaim, operator: str, message_id: int) -> None:
        """An agent's forced text to a conversation another agent holds: its own audit
        row beside the send's, naming the holder (joins the caller's transaction)."""
        with self.database.write() as conn:
            audit(conn, operator, "force", message_id,
                  f"sent over {claim.operator}'s claim (since {claim.since})", peer=claim.peer)


def holder_on(conn: sqlite3.Connection, peer: str) -> ConversationClaim | None:
    """The claim on peer, read inside the caller's transaction."""
    row = conn.execute("SELECT peer, operator, since FROM claims WHERE peer = ?",
                       (peer,)).fetchone()
    return None if row is None else ConversationClaim(*row)
