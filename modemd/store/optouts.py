"""Opt-outs: numbers that said STOP (by text, or as an agent recorded) get nothing more.

An inbound keyword is applied in the transaction that completes its message (see
inbound.py), so a crash never keeps the message without its opt-out; the same
transaction fails what was still queued to that number.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass

from modemd.store.db import Database, iso, utc_now
from modemd.store.events import record
from modemd.store.keywords import Keyword, keyword, keyword_word
from modemd.store.states import NOT_STARTED, EventKind, OutboundStatus, PartStatus, sql_list
from modemd.store.transitions import audit, move_message, move_part

BY_AGENT = "AGENT"  # the keyword column of an opt-out an agent recorded


@dataclass(frozen=True)
class OptOut:
    peer: str
    since: str
    source: int | None  # the inbound message that said it; None when an agent recorded it
    operator: str | None  # the agent who recorded it; None when it came by text
    keyword: str  # the word the peer sent ("STOP", "QUIT"), or BY_AGENT

    def public(self) -> dict:
        """The `modemd optouts --json` object."""
        return {key: value for key, value in asdict(self).items() if key != "keyword"}

    def reason(self) -> str:
        how = f"recorded by {self.operator}" if self.source is None else self.keyword
        return f"{self.peer} opted out ({how}) at {self.since}"


class Optouts:
    def __init__(self, database: Database) -> None:
        self.database = database

    def get(self, peer: str) -> OptOut | None:
        row = self.database.one("SELECT * FROM optouts WHERE peer = ?", (peer,))
        return None if row is None else OptOut(**row)

    def list(self) -> list[OptOut]:
        return [OptOut(**row) for row in
                self.database.query("SELECT * FROM optouts ORDER BY since, peer")]

    def add(self, peer: str, operator: str) -> OptOut:
        """An agent records an opt-out received another way (a call, an email); what was
        queued to the number fails. Returns the opt-out in force (an older one stays)."""
        with self.database.write() as conn:
            current = _current(conn, peer)
            if current is None:
                _opt_out(conn, peer, BY_AGENT, source=None, operator=operator)
                audit(conn, operator, "optout", None, "recorded by an agent", peer=peer)
                record(conn, EventKind.OPTOUT, peer=peer, opted_out=True)
                current = _current(conn, peer)
            assert current is not None
            return current

    def remove(self, peer: str, operator: str) -> OptOut | None:
        """An agent lifts the opt-out (the peer asked by other means); the one lifted."""
        with self.database.write() as conn:
            current = _current(conn, peer)
            if current is not None:
                conn.execute("DELETE FROM optouts WHERE peer = ?", (peer,))
                audit(conn, operator, "optin", None, "lifted by an agent", peer=peer)
                record(conn, EventKind.OPTOUT, peer=peer, opted_out=False)
            return current


def apply_keyword(conn: sqlite3.Connection, message_id: int, peer: str, text: str) -> None:
    """A complete inbound message that is STOP or START changes the peer's opt-out; the
    peer is the audit's operator (they decided). HELP changes nothing: views flag it."""
    word, meaning = keyword_word(text), keyword(text)
    if meaning is Keyword.STOP and _current(conn, peer) is None:
        _opt_out(conn, peer, word or "", source=message_id, operator=None)
        audit(conn, peer, "optout", message_id, f"texted {word}", peer=peer)
        record(conn, EventKind.OPTOUT, message_id=message_id, opted_out=True)
    elif meaning is Keyword.START and _current(conn, peer) is not None:
        conn.execute("DELETE FROM optouts WHERE peer = ?", (peer,))
        audit(conn, peer, "optin", message_id, f"texted {word}", peer=peer)
        record(conn, EventKind.OPTOUT, message_id=message_id, opted_out=False)


def _current(conn: sqlite3.Connection, peer: str) -> OptOut | None:
    row = conn.execute("SELECT peer, since, source, operator, keyword FROM optouts "
                       "WHERE peer = ?", (peer,)).fetchone()
    return None if row is None else OptOut(*row)


def _opt_out(conn: sqlite3.Connection, peer: str, word: str, *, source: int | None,
             operator: str | None) -> None:
    conn.execute("INSERT INTO optouts (peer, since, source, operator, keyword) "
                 "VALUES (?, ?, ?, ?, ?)", (peer, iso(utc_now()), source, operator, word))
    recorded = _current(conn, peer)
    assert recorded is not None
    _fail_queued(conn, peer, f"not sent: {recorded.reason()}")


def _fail_queued(conn: sqlite3.Connection, peer: str, reason: str) -> None:
    """What waits in the queue for the peer fails; a message being sent right now is
    left to finish (its parts may already be on the air)."""
    waiting = conn.execute(f"SELECT id FROM messages WHERE direction = 'out' AND peer = ? "
                           f"AND status IN {sql_list(NOT_STARTED)}", (peer,)).fetchall()
    for (message_id,) in waiting:
        for (part_id,) in conn.execute(
                "SELECT id FROM outbound_parts WHERE message_id = ? AND status = ?",
                (message_id, PartStatus.QUEUED)).fetchall():
            move_part(conn, part_id, PartStatus.FAILED, error=reason)
        move_message(conn, message_id, OutboundStatus.FAILED, error=reason)
