"""Messages that wait for their time (`send --at`), and messages an agent takes back.

A `scheduled` message joins the queue when its scheduled_for has come: the daemon
calls release_due() when a scheduler job for it fires (and now and then in case one
was missed), so the database alone says what is scheduled and a restart loses
nothing. A message may be cancelled while it is `scheduled` or `queued` with every
part still queued: once a line claimed it, or a part of it went out, it cannot be
taken back (the rest of a long message must follow, or the handset cannot join it).
"""

from __future__ import annotations

from datetime import datetime

from modemd.errors import InvalidInputError
from modemd.store.db import Database, iso, utc_now
from modemd.store.states import NOT_STARTED, IllegalTransition, OutboundStatus, PartStatus
from modemd.store.transitions import NotFound, audit, move_message, move_part

_O, _P = OutboundStatus, PartStatus


class Schedule:
    def __init__(self, database: Database) -> None:
        self.database = database

    def release_due(self, now: datetime | None = None) -> list[int]:
        """Every scheduled message whose time has come joins the queue (one
        transaction); their ids, oldest time first."""
        due = iso(now or utc_now())
        select = ("SELECT id FROM messages WHERE direction = 'out' AND status = ? "
                  "AND scheduled_for <= ? ORDER BY scheduled_for, id")
        if not self.database.query(select, (_O.SCHEDULED, due)):
            return []  # most checks find nothing: no write lock taken
        with self.database.write() as conn:
            released = [row[0] for row in conn.execute(select, (_O.SCHEDULED, due))]
            for message_id in released:
                move_message(conn, message_id, _O.QUEUED)
        return released

    def scheduled(self) -> list[tuple[int, str]]:
        """(id, scheduled_for) of every message still waiting for its time, soonest first."""
        rows = self.database.query(
            "SELECT id, scheduled_for FROM messages WHERE direction = 'out' AND status = ? "
            "ORDER BY scheduled_for, id", (_O.SCHEDULED,))
        return [(row["id"], row["scheduled_for"]) for row in rows]

    def cancel(self, message_id: int, operator: str) -> None:
        """An agent takes back a message no part of which went out: it and its parts are
        `cancelled`, and the audit says who. Refused (nothing changed) otherwise."""
        with self.database.write() as conn:
            row = conn.execute("SELECT direction, status, scheduled_for FROM messages "
                               "WHERE id = ?", (message_id,)).fetchone()
            if row is None:
                raise NotFound(f"no message {message_id}: check the id with `modemd outbox`")
            direction, status, scheduled_for = row
            if direction != "out":
                raise InvalidInputError(
                    f"message {message_id} is one we received: only messages we send can be "
                    "cancelled (`modemd outbox` lists them)")
            parts = [tuple(part) for part in conn.execute(
                "SELECT id, status FROM outbound_parts WHERE message_id = ?", (message_id,))]
            _check_cancellable(message_id, _O(status), parts)
            for part_id, _ in parts:
                move_part(conn, part_id, _P.CANCELLED)
            move_message(conn, message_id, _O.CANCELLED, error=f"cancelled by {operator}",
                         next_attempt_at=None)
            was = f"for {scheduled_for}" if status == _O.SCHEDULED else ""
            audit(conn, operator, "cancel", message_id, f"was {status} {was}".strip())


def _check_cancellable(message_id: int, status: OutboundStatus,
                       parts: list[tuple[int, str]]) -> None:
    if status is _O.SENDING:
        raise IllegalTransition(f"message {message_id} is sending: a part may already be on "
                                "the air; it can no longer be cancelled")
    if status is _O.CANCELLED:
        raise IllegalTransition(f"message {message_id} is already cancelled")
    if status not in NOT_STARTED:
        raise IllegalTransition(f"message {message_id} is {status}: only a scheduled or "
                                "queued message can be cancelled, before any part went out")
    out = sum(part_status != _P.QUEUED for _, part_status in parts)
    if out:
        raise IllegalTransition(
            f"message {message_id} has {out} of {len(parts)} parts already out: the rest "
            "must follow, or the handset cannot join them; it can no longer be cancelled")
