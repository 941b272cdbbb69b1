"""The retry policy: the phase of the send first, then the +CMS ERROR class."""

from __future__ import annotations

from datetime import timedelta

import pytest

from modemd.at import AtTimeout, ChannelClosed, CmeError, CmsError, CommandError, PromptTimeout
from modemd.modem import SendFailed, SendPhase
from modemd.services.policy import MAX_ATTEMPTS, Action, LineEffect, backoff, decide
from modemd.store import PauseCause
from modemd.transport import PortLost

BEFORE, AFTER = SendPhase.BEFORE_PDU, SendPhase.AFTER_PDU

CASES = [
    (1, Action.FAIL), (21, Action.FAIL), (69, Action.FAIL), (196, Action.FAIL),
    (8, Action.RELEASE), (28, Action.RELEASE), (193, Action.RELEASE),
    (27, Action.RETRY), (42, Action.RETRY), (111, Action.RETRY), (515, Action.RETRY),
    (96, Action.FAIL), (304, Action.FAIL),
    (197, Action.SUBMITTED),
    (300, Action.RETRY), (500, Action.RETRY),
    (310, Action.RELEASE), (316, Action.RELEASE), (311, Action.RELEASE),
    (314, Action.RETRY), (322, Action.RETRY),
    (330, Action.RELEASE), (331, Action.RELEASE),
    (332, Action.UNKNOWN), (513, Action.UNKNOWN),
]


def after(error: Exception, attempts: int = 0):
    return decide(SendFailed(AFTER, error), attempts)


def before(error: Exception, attempts: int = 0):
    return decide(SendFailed(BEFORE, error), attempts)


@pytest.mark.parametrize(("code", "action"), CASES)
def test_each_cms_class_gets_its_action(code, action):
    decision = after(CmsError(code, "AT+CMGS=20"))
    assert decision.action is action
    assert decision.attempted  # the modem answered: the try counts


@pytest.mark.parametrize(("code", "cause"), [
    (330, PauseCause.SMSC_UNKNOWN), (331, PauseCause.NO_SERVICE), (8, PauseCause.CANNOT_SEND),
    (193, PauseCause.CANNOT_SEND), (310, PauseCause.SIM), (316, PauseCause.SIM)])
def test_a_line_that_cannot_send_pauses_with_the_cause_that_must_end(code, cause):
    decision = after(CmsError(code))
    assert (decision.line, decision.pause) == (LineEffect.PAUSE, cause)


def test_sim_pin_required_reinitialises_for_its_one_unlock():
    decision = after(CmsError(311))
    assert (decision.action, decision.line) == (Action.RELEASE, LineEffect.REINITIALIZE)


def test_malformed_pdu_alerts_loudly():
    assert after(CmsError(304, "AT+CMGS=20")).alert


def test_temporary_errors_back_off_and_are_bounded():
    first, second = after(CmsError(42), 0), after(CmsError(42), 1)
    assert first.delay < second.delay <= timedelta(minutes=5)
    assert after(CmsError(42), MAX_ATTEMPTS - 1).action is Action.FAIL


def test_me_failure_reinitialises_the_modem_and_gives_up_sooner():
    decision = after(CmsError(300))
    assert decision.line is LineEffect.REINITIALIZE
    assert after(CmsError(300), 2).action is Action.FAIL


def test_no_answer_after_the_pdu_is_unknown_never_a_retry():
    assert after(AtTimeout("no answer", "AT+CMGS=20")).action is Action.UNKNOWN
    lost = after(PortLost("unplugged"))
    assert (lost.action, lost.line) == (Action.UNKNOWN, LineEffect.END_SESSION)


@pytest.mark.parametrize("error", [PortLost("unplugged at the prompt"),
                                   AtTimeout("resync: no answer to ATS3?"),
                                   PromptTimeout("no prompt", "AT+CMGS=20"),
                                   ChannelClosed("stopping")])
def test_before_the_pdu_nothing_went_out_so_it_goes_back_to_the_queue(error):
    decision = before(error, attempts=MAX_ATTEMPTS)
    assert decision.action is Action.REQUEUE
    assert not decision.attempted  # not a real submission: attempts stays
    assert "before the PDU" in decision.reason


def test_a_silent_modem_or_a_lost_port_before_the_pdu_ends_the_session_for_real():
    for error in (PortLost("unplugged"), AtTimeout("no answer to ATS3?")):
        decision = before(error)
        assert (decision.line, decision.error) == (LineEffect.END_SESSION, error)


def test_no_prompt_reinitialises_without_calling_the_modem_silent():
    decision = before(PromptTimeout("no prompt", "AT+CMGS=20"))
    assert (decision.line, decision.error) == (LineEffect.REINITIALIZE, None)


@pytest.mark.parametrize("code", [332, 197])
def test_ambiguity_needs_a_written_pdu(code):
    """A network timeout or a duplicate answer to AT+CMGS=n itself: nothing was sent."""
    assert before(CmsError(code)).action is Action.RETRY


def test_other_at_errors_retry_then_fail():
    assert after(CommandError("ERROR")).action is Action.RETRY
    assert before(CommandError("ERROR")).line is LineEffect.REINITIALIZE
    assert after(CmeError(100), MAX_ATTEMPTS - 1).action is Action.FAIL


def test_backoff_is_capped():
    assert backoff(1) == timedelta(seconds=5)
    assert backoff(30) == timedelta(seconds=300)


def test_recovery_ladder_climbs_with_silence_and_is_rate_limited():
    from modemd.services.recovery import Ladder  # noqa: PLC0415

    now = [0.0]
    ladder = Ladder(clock=lambda: now[0])
    assert ladder.next_rung(1) is None
    assert ladder.next_rung(3) == "AT+CFUN=0;+CFUN=1"
    assert ladder.next_rung(4) is None  # the radio reset was just tried
    assert ladder.next_rung(5) == "AT+CFUN=1,1"
    now[0] += 130
    assert ladder.next_rung(5) == "AT+CFUN=0;+CFUN=1"  # the full reset is still cooling down
    now[0] += 600
    assert ladder.next_rung(6) == "AT+CFUN=1,1"
