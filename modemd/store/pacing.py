"""What the pace rules (modemd/desk/pace.py) read, inside the caller's transaction:
whether a peer is new, an agent's last send, and the first texts to new contacts in a
window, per agent and per line. The rules themselves live in the desk."""

from __future__ import annotations

import sqlite3

from modemd.store.states import IN_QUEUE, LineState, OutboundStatus, sql_list

# The first texts that count against a cap: outbound, new_contact, not taken back.
_FIRSTS = "direction = 'out' AND new_contact = 1 AND status != ? AND created_at > ?"


def is_new_contact(conn: sqlite3.Connection, peer: str) -> bool:
    """No message either way with this peer yet (a cancelled one never reached them)."""
    return conn.execute(
        "SELECT 1 FROM messages WHERE peer = ? AND NOT (direction = 'out' AND status = ?) "
        "LIMIT 1", (peer, OutboundStatus.CANCELLED)).fetchone() is None


def last_sent_at(conn: sqlite3.Connection, operator: str) -> str | None:
    """When the agent last queued a message (ISO UTC), or None."""
    return conn.execute("SELECT MAX(created_at) FROM messages WHERE direction = 'out' "
                        "AND operator = ?", (operator,)).fetchone()[0]


def first_texts_by(conn: sqlite3.Connection, operator: str, since: str) -> list[str]:
    """The agent's first texts to new contacts after since, oldest first."""
    return [at for at, in conn.execute(
        f"SELECT created_at FROM messages WHERE operator = ? AND {_FIRSTS} "
        f"ORDER BY created_at", (operator, OutboundStatus.CANCELLED, since))]


def first_texts_by_line(conn: sqlite3.Connection, since: str) -> dict[int, list[str]]:
    """Each line's first texts to new contacts after since, oldest first."""
    firsts: dict[int, list[str]] = {}
    for line_id, at in conn.execute(  # the window's first texts only, not every outbound
            f"SELECT line_id, created_at FROM messages INDEXED BY messages_first_texts "
            f"WHERE line_id IS NOT NULL AND {_FIRSTS} ORDER BY created_at",
            (OutboundStatus.CANCELLED, since)):
        firsts.setdefault(line_id, []).append(at)
    return firsts


def known_lines(conn: sqlite3.Connection) -> list[tuple[int, str, bool]]:
    """(id, label, healthy) of every known line."""
    return [(line_id, name or own_number or str(line_id), state == LineState.OK)
            for line_id, name, own_number, state in conn.execute(
                "SELECT id, name, own_number, state FROM lines ORDER BY id")]


def queue_load(conn: sqlite3.Connection) -> dict[int, int]:
    """Messages still in each line's queue (what "least busy" compares)."""
    return dict(conn.execute(
        f"SELECT line_id, COUNT(*) FROM messages WHERE direction = 'out' "
        f"AND status IN {sql_list(IN_QUEUE)} AND line_id IS NOT NULL GROUP BY line_id"))
