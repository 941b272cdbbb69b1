"""A line's life as its worker sees it: one state at a time, moved only along the table.

    starting -> initializing -> ok <-> paused(cause) | no_service
                     |           \\-> offline | unresponsive | sim_error | error
                     \\-> pin_rejected                  (all of them) -> stopped

The table is modemd.store.states.LINE_TRANSITIONS; an illegal move raises. Each move
is logged once and written to the line's row, so `modemd status` shows it.
"""

from __future__ import annotations

import logging

from modemd.store import LineState, PauseCause, Store, StoreFull
from modemd.store.states import LINE_TRANSITIONS, LINE_TROUBLE, allowed, guard

log = logging.getLogger(__name__)


class LineLife:
    def __init__(self, name: str, store: Store) -> None:
        self.name = name
        self.store = store
        self.line_id: int | None = None  # known once the modem told its identity
        self.state = LineState.STARTING
        self.reason: str | None = None
        self.cause: PauseCause | None = None

    def move(self, new: LineState, reason: str | None = None,
             cause: PauseCause | None = None) -> None:
        guard(LINE_TRANSITIONS, f"line {self.name}", self.state, new)
        if (new, reason, cause) != (self.state, self.reason, self.cause):
            level = logging.WARNING if new in LINE_TROUBLE else logging.INFO
            log.log(level, "line %s: %s%s", self.name, new, f" ({reason})" if reason else "")
        self.state, self.reason, self.cause = new, reason, cause
        self._persist()

    def can_move(self, new: LineState) -> bool:
        return allowed(LINE_TRANSITIONS, self.state, new)

    def bind(self, line_id: int) -> None:
        """The line's row is known (or changed: a new SIM is a new line)."""
        self.line_id = line_id
        self._persist()

    def _persist(self) -> None:
        if self.line_id is None:
            return
        try:
            self.store.lines.set_state(self.line_id, self.state, self.reason, self.cause)
        except StoreFull:  # the gate says so; the row catches up at the next move
            log.debug("line %s: state %s not stored: the disk is full", self.name, self.state)

    @property
    def sending(self) -> bool:
        return self.state is LineState.OK
