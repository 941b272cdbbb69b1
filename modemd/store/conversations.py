"""Conversations: one row per peer (the contacts messages went to or came from, and the
claimed ones), its last message, how many inbound messages no agent has read, who
claimed it, whether it opted out. Reading a thread marks its inbound messages read.

A peer's last message is found through the messages_thread index (peer, created_at):
one seek per peer; unread counts are made for the rows of the page only.
"""

from __future__ import annotations

from modemd.store.db import Database, iso, utc_now
from modemd.store.states import OutboundStatus

# the contract's keys, in its order
CONVERSATION_FIELDS = ("peer", "contact", "line", "last_at", "last_direction", "last_status",
                       "last_text", "unread", "claimed_by", "opted_out")

# Which peers: by default every one messages name (a covering scan of messages_thread)
# and every claimed one (claimed before its first text); the filters start from the
# rows they need instead. Each peer's newest message is one seek backwards in
# messages_thread; the page is cut before the per-row counts and joins are made.
_ALL_PEERS = "SELECT peer FROM messages GROUP BY peer UNION SELECT peer FROM claims"
# a plain scan: walking messages_thread for it costs a random row read per message
_UNREAD_PEERS = ("SELECT DISTINCT peer FROM messages NOT INDEXED WHERE direction = 'in' "
                 "AND read_at IS NULL")
_CLAIMED_PEERS = "SELECT peer FROM claims WHERE operator = :claimed_by"
# A scan of every message's text. ASCII text is matched by LIKE, which folds ASCII
# letters in C, against the casefolded words; only text with other characters (its
# length in bytes differs) goes to folded_contains in Python. Numbers are digits: instr.
# One SELECT around the UNIONs, which would otherwise bind looser than an INTERSECT.
_FOUND_PEERS = """SELECT peer FROM (
    SELECT peer FROM messages WHERE instr(peer, :search) OR text LIKE :pattern ESCAPE '\\'
        OR (length(CAST(text AS BLOB)) != length(text) AND folded_contains(text, :folded))
    UNION SELECT peer FROM contacts WHERE folded_contains(name, :folded)
    UNION SELECT peer FROM claims WHERE instr(peer, :search))"""
_PAGE = """
WITH peers AS ({peers}),
page AS (
    SELECT p.peer, m.id AS message_id, m.created_at AS last_at FROM peers p
    LEFT JOIN messages m ON m.id = (SELECT id FROM messages i WHERE i.peer = p.peer
                                    ORDER BY i.created_at DESC, i.id DESC LIMIT 1)
    ORDER BY last_at IS NULL, last_at DESC, p.peer LIMIT :limit
)
SELECT page.peer, c.name AS contact, COALESCE(l.own_number, l.name, l.imsi) AS line,
       page.last_at, m.direction AS last_direction, m.status AS last_status,
       m.text AS last_text,
       (SELECT COUNT(*) FROM messages u WHERE u.peer = page.peer AND u.direction = 'in'
        AND u.read_at IS NULL) AS unread,
       k.operator AS claimed_by,
       EXISTS (SELECT 1 FROM optouts o WHERE o.peer = page.peer) AS opted_out
FROM page
LEFT JOIN messages m ON m.id = page.message_id
LEFT JOIN lines l ON l.id = m.line_id
LEFT JOIN contacts c ON c.peer = page.peer
LEFT JOIN claims k ON k.peer = page.peer
ORDER BY page.last_at IS NULL, page.last_at DESC, page.peer
"""


def _searched(search: str | None) -> dict:
    folded = (search or "").casefold()
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return {"search": search, "folded": folded, "pattern": f"%{escaped}%"}


class Conversations:
    def __init__(self, database: Database) -> None:
        self.database = database

    def list(self, *, unread_only: bool = False, claimed_by: str | None = None,
             search: str | None = None, limit: int = 50) -> list[dict]:
        """The most recent first (claimed peers without a message last). unread_only:
        those with an unread inbound message; claimed_by: those this agent holds;
        search: those whose number, contact name or any message's text holds it."""
        sources = ([_UNREAD_PEERS] * unread_only + [_CLAIMED_PEERS] * (claimed_by is not None)
                   + [_FOUND_PEERS] * (search is not None))
        peers = " INTERSECT ".join(sources) or _ALL_PEERS
        rows = self.database.query(_PAGE.format(peers=peers), {
            "claimed_by": claimed_by, "limit": limit, **_searched(search)})
        return [{key: bool(row[key]) if key == "opted_out" else row[key]
                 for key in CONVERSATION_FIELDS} for row in rows]

    def mark_read(self, peer: str) -> int:
        """The peer's unread inbound messages are read from now on; how many they were.
        Nothing unread: no write is begun (so a read-only database still shows)."""
        unread = ("SELECT COUNT(*) AS n FROM messages WHERE peer = ? AND direction = 'in' "
                  "AND read_at IS NULL")
        row = self.database.one(unread, (peer,))
        if row is None or not row["n"]:
            return 0
        with self.database.write() as conn:
            cursor = conn.execute("UPDATE messages SET read_at = ? WHERE peer = ? "
                                  "AND direction = 'in' AND read_at IS NULL",
                                  (iso(utc_now()), peer))
            return cursor.rowcount

    def last_text_by_another(self, peer: str, operator: str, since: str) -> dict | None:
        """The newest outbound message to peer that another agent created at or after
        since (cancelled ones do not count): {operator, created_at}, or None."""
        return self.database.one(
            "SELECT operator, created_at FROM messages WHERE peer = ? AND created_at >= ? "
            "AND direction = 'out' AND operator IS NOT ? AND status != ? "
            "ORDER BY created_at DESC LIMIT 1", (peer, since, operator, OutboundStatus.CANCELLED))
