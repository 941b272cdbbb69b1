"""A paused line: why it pauses and what ends the pause. Pure; the clock is passed in.

A pause ends only when its own cause is gone. An unknown SMSC or a barred SIM needs a
person (a fixed configuration and a restart, or `modemd resume LINE`); no service ends
when registration is seen to come back; a SIM failure when the SIM is ready again. The
two that end by themselves are re-checked on a timer that doubles while the same cause
keeps pausing the line, so a line whose trouble persists is not hammered.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from modemd.store import PauseCause
from modemd.store.db import iso, utc_now

FIRST_RECHECK = 15.0  # seconds
MAX_RECHECK = 900.0

ENDS = {
    PauseCause.SMSC_UNKNOWN: "set the SMS centre number (AT+CSCA or on the SIM), then "
                             "restart modemd or run `modemd resume LINE`",
    PauseCause.CANNOT_SEND: "the SIM may not send SMS: ask its operator; then "
                            "`modemd resume LINE` or a restart",
    PauseCause.NO_SERVICE: "resumes when the modem is registered again",
    PauseCause.SIM: "resumes when the SIM is ready again",
}
NEEDS_A_PERSON = frozenset({PauseCause.SMSC_UNKNOWN, PauseCause.CANNOT_SEND})


@dataclass
class Pause:
    cause: PauseCause
    what: str  # the error that paused the line
    since: str  # ISO time it began: a resume asked for before it does not end it
    started: float  # monotonic seconds
    recheck: float | None  # seconds after `started` a timer may end it; None: a person
    saw_unregistered: bool = False

    @classmethod
    def begin(cls, cause: PauseCause, what: str, since: str, now: float,
              repeats: int = 0) -> Pause:
        """repeats: how often the same cause paused the line since its last good send."""
        recheck = None if cause in NEEDS_A_PERSON else min(
            MAX_RECHECK, FIRST_RECHECK * 2 ** repeats)
        return cls(cause, what, since, now, recheck)

    def observe(self, registered: bool) -> None:
        if not registered:
            self.saw_unregistered = True

    def ends(self, *, now: float, registered: bool, sim_ready: bool | None,
             resume_requested: bool) -> bool:
        if resume_requested:
            return True
        if self.recheck is None:
            return False
        due = now >= self.started + self.recheck
        if self.cause is PauseCause.NO_SERVICE:
            return registered and (self.saw_unregistered or due)
        return bool(sim_ready) and due

    @property
    def reason(self) -> str:
        return f"{self.what}; {ENDS[self.cause]}"


class Pauses:
    """A line's pause, kept across sessions of one SIM, and how often its cause repeated
    since the line last sent a part."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.current: Pause | None = None
        self._last: PauseCause | None = None
        self._repeats = 0

    def begin(self, cause: PauseCause, what: str) -> Pause:
        self._repeats = self._repeats + 1 if cause is self._last else 0
        self._last = cause
        self.current = Pause.begin(cause, what, iso(utc_now()) or "", self.clock(),
                                   self._repeats)
        return self.current

    def sent(self) -> None:
        """A part went out: the next pause starts its re-checks from the beginning."""
        self._last, self._repeats = None, 0

    def end(self) -> None:
        self.current = None

    def over(self, *, registered: bool, sim_ready: bool | None,
             resume_requested: bool) -> bool:
        pause = self.current
        if pause is None:
            return True
        pause.observe(registered)
        return pause.ends(now=self.clock(), registered=registered, sim_ready=sim_ready,
                          resume_requested=resume_requested)
