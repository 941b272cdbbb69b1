"""A pause ends only with its own cause; the line's life moves only along its table."""

from __future__ import annotations

import pytest

from modemd.services.life import LineLife
from modemd.services.pause import FIRST_RECHECK, MAX_RECHECK, Pause, Pauses
from modemd.store import IllegalTransition, LineState, PauseCause, Store

C = PauseCause


def ends(pause: Pause, now: float, *, registered: bool = True, sim_ready: bool | None = None,
         resume: bool = False) -> bool:
    return pause.ends(now=now, registered=registered, sim_ready=sim_ready,
                      resume_requested=resume)


@pytest.mark.parametrize("cause", [C.SMSC_UNKNOWN, C.CANNOT_SEND])
def test_a_pause_that_needs_a_person_never_ends_by_itself(cause: PauseCause) -> None:
    pause = Pause.begin(cause, "+CMS ERROR: 330", "2026-12-03T00:00:00Z", now=0.0)
    assert pause.recheck is None
    assert not ends(pause, 10 ** 9, registered=True, sim_ready=True)
    assert ends(pause, 1.0, resume=True)


def test_no_service_ends_at_once_when_registration_was_lost_and_came_back() -> None:
    pause = Pause.begin(C.NO_SERVICE, "+CMS ERROR: 331", "t", now=0.0)
    assert not ends(pause, 1.0)  # registered all along and not due yet
    pause.observe(registered=False)
    assert not ends(pause, 2.0, registered=False)
    assert ends(pause, 3.0, registered=True)


def test_no_service_is_probed_when_due_while_registered() -> None:
    pause = Pause.begin(C.NO_SERVICE, "+CMS ERROR: 331", "t", now=100.0)
    assert not ends(pause, 100.0 + FIRST_RECHECK - 0.1)
    assert ends(pause, 100.0 + FIRST_RECHECK)
    assert not ends(pause, 100.0 + FIRST_RECHECK, registered=False)


def test_a_sim_pause_needs_the_sim_ready_and_its_time() -> None:
    pause = Pause.begin(C.SIM, "+CMS ERROR: 310", "t", now=0.0)
    assert not ends(pause, FIRST_RECHECK, sim_ready=False)
    assert not ends(pause, 1.0, sim_ready=True)
    assert ends(pause, FIRST_RECHECK, sim_ready=True)


def test_the_recheck_doubles_while_the_same_cause_repeats_and_resets_after_a_send() -> None:
    pauses = Pauses(clock=lambda: 0.0)
    rechecks = [pauses.begin(C.NO_SERVICE, "331").recheck for _ in range(8)]
    assert rechecks[:3] == [FIRST_RECHECK, 2 * FIRST_RECHECK, 4 * FIRST_RECHECK]
    assert rechecks[-1] == MAX_RECHECK
    pauses.sent()
    assert pauses.begin(C.NO_SERVICE, "331").recheck == FIRST_RECHECK
    assert pauses.begin(C.SIM, "310").recheck == FIRST_RECHECK  # another cause: anew


def test_the_reason_says_what_ends_the_pause() -> None:
    pause = Pause.begin(C.SMSC_UNKNOWN, "+CMS ERROR: 330", "t", now=0.0)
    assert pause.reason.startswith("+CMS ERROR: 330; ") and "modemd resume" in pause.reason


def test_a_line_moves_only_along_its_table(tmp_path) -> None:
    store = Store(tmp_path / "m.db")
    life = LineLife("line1", store)
    with pytest.raises(IllegalTransition, match="starting to ok"):
        life.move(LineState.OK)
    life.move(LineState.INITIALIZING)
    life.move(LineState.PIN_REJECTED, "wrong PIN")
    with pytest.raises(IllegalTransition, match="pin_rejected to initializing"):
        life.move(LineState.INITIALIZING)
    life.move(LineState.STOPPED)
    assert (life.state, life.reason) == (LineState.STOPPED, None)
    store.close()
