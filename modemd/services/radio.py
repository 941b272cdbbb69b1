"""What the radio says about a line that answers: registered (ok), not (no_service), or
paused until its cause ends. A part of LineWorker, kept apart to be read on its own."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from modemd.modem import Modem
from modemd.services.life import LineLife
from modemd.services.pause import Pauses
from modemd.services.policy import Decision
from modemd.store import LineState, PauseCause, Store

log = logging.getLogger(__name__)

REGISTERED = (1, 5)  # +CREG stat: home, roaming


class RadioWatch:
    """Mixed into LineWorker, whose attributes these are."""

    name: str
    store: Store
    life: LineLife
    pauses: Pauses
    later: Callable[[timedelta, Callable[[], None]], None]
    wake_all: Callable[[], None]
    wake: Callable[[], None]  # LineWorker's methods
    request: Callable[[str], None]

    @property
    def line_id(self) -> int | None:
        return self.life.line_id

    def _pause_line(self, decision: Decision) -> None:
        assert decision.pause is not None
        pause = self.pauses.begin(decision.pause, decision.reason)
        self.life.move(LineState.PAUSED, pause.reason, pause.cause)
        self.wake_all()  # another line may take the message
        if pause.recheck is not None:
            self.later(timedelta(seconds=pause.recheck), partial(self.request, "monitor"))

    def _resume_asked(self) -> bool:
        pause = self.pauses.current
        return pause is not None and self.store.lines.resume_requested(
            self.line_id or 0, pause.since)

    def _resume(self, modem: Modem, why: str) -> None:
        log.info("line %s: pause over: %s", self.name, why)
        self.pauses.end()
        self._monitor(modem)
        self.wake()

    def _monitor(self, modem: Modem) -> None:
        signal, registration = modem.signal(), modem.registration()
        registered = registration in REGISTERED
        operator = modem.operator() if registered else None
        self.store.lines.set_radio(self.line_id or 0, signal=signal.rssi if signal else None,
                                   registration=registration, operator=operator)
        if self.pauses.current is not None:
            self._check_pause(modem, registered)
        elif registered and self.life.state is not LineState.OK:
            self.life.move(LineState.OK)
            self.wake()
        elif not registered and self.life.state is not LineState.NO_SERVICE:
            self.life.move(LineState.NO_SERVICE,
                           f"not registered (+CREG stat {registration})")

    def _check_pause(self, modem: Modem, registered: bool) -> None:
        pause = self.pauses.current
        assert pause is not None
        sim_ready = modem.pin_state() == "READY" if pause.cause is PauseCause.SIM else None
        if self.pauses.over(registered=registered, sim_ready=sim_ready,
                            resume_requested=self._resume_asked()):
            self._resume(modem, f"{pause.cause} ended")
        elif self.life.state is not LineState.PAUSED:  # a new session of a paused line
            self.life.move(LineState.PAUSED, pause.reason, pause.cause)
