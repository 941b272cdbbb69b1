"""The recovery ladder for a modem that stops answering, rate-limited.

ESC + AT is the channel's own resync; reopening the port is a new session. When
sessions keep failing with silence, the next rungs reset the radio and then the
whole modem. Each rung waits its turn so a sick modem is not hammered.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from modemd.at import AtChannel, AtError
from modemd.transport import TransportError

log = logging.getLogger(__name__)

# (consecutive silent sessions, command, minimum seconds between two uses)
RUNGS = (
    (3, "AT+CFUN=0;+CFUN=1", 120.0),
    (5, "AT+CFUN=1,1", 600.0),
)


class Ladder:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_used: dict[str, float] = {}

    def next_rung(self, silent_sessions: int) -> str | None:
        """The strongest reset this many failures earn that is not rate-limited now."""
        now = self._clock()
        for threshold, command, spacing in reversed(RUNGS):
            last = self._last_used.get(command)
            if silent_sessions >= threshold and (last is None or now - last >= spacing):
                self._last_used[command] = now
                return command
        return None

    def climb(self, channel: AtChannel, silent_sessions: int) -> None:
        """Try the earned reset; a modem that ignores it is left to the next session."""
        command = self.next_rung(silent_sessions)
        if command is None:
            return
        log.warning("%s: silent %d times; trying %s", channel.name, silent_sessions, command)
        try:
            channel.command(command, timeout=15.0)
        except (AtError, TransportError) as error:
            log.warning("%s: %s did not help: %s", channel.name, command, error)
