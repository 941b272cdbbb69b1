"""The retry policy follows DOMAIN.md's +CMS ERROR table; timeouts after the PDU are unknown."""

from __future__ import annotations

from datetime import timedelta

import pytest

from modemd.at import AtTimeout, CmeError, CmsError, CommandError, PromptTimeout
from modemd.services.policy import MAX_ATTEMPTS, Action, backoff, decide
from modemd.transport import PortLost

CASES = [
    (1, Action.FAIL), (21, Action.FAIL), (69, Action.FAIL), (196, Action.FAIL),
    (8, Action.PAUSE_LINE), (28, Action.PAUSE_LINE), (193, Action.PAUSE_LINE),
    (27, Action.RETRY), (42, Action.RETRY), (111, Action.RETRY), (515, Action.RETRY),
    (96, Action.FAIL), (304, Action.FAIL),
    (197, Action.SUBMITTED),
    (300, Action.RETRY), (500, Action.RETRY),
    (310, Action.PAUSE_LINE), (316, Action.PAUSE_LINE), (311, Action.PAUSE_LINE),
    (314, Action.RETRY), (322, Action.RETRY),
    (330, Action.PAUSE_LINE), (331, Action.PAUSE_LINE),
    (332, Action.UNKNOWN), (513, Action.UNKNOWN),
]


@pytest.mark.parametrize(("code", "action"), CASES)
def test_each_cms_class_gets_its_action(code, action):
    assert decide(CmsError(code, "AT+CMGS=20"), attempts=1).action is action


def test_malformed_pdu_alerts_loudly():
    assert decide(CmsError(304, "AT+CMGS=20"), attempts=1).alert


def test_temporary_errors_back_off_and_are_bounded():
    first = decide(CmsError(42), attempts=1)
    second = decide(CmsError(42), attempts=2)
    assert first.delay < second.delay <= timedelta(minutes=5)
    assert decide(CmsError(42), attempts=MAX_ATTEMPTS).action is Action.FAIL


def test_me_failure_reinitialises_the_modem_and_gives_up_sooner():
    decision = decide(CmsError(300), attempts=1)
    assert decision.reinitialize
    assert decide(CmsError(300), attempts=3).action is Action.FAIL


def test_no_answer_after_the_pdu_is_unknown_never_a_retry():
    assert decide(AtTimeout("no answer", "AT+CMGS=20"), attempts=1).action is Action.UNKNOWN
    assert decide(PortLost("unplugged"), attempts=1).action is Action.UNKNOWN


def test_no_prompt_means_nothing_went_out_so_it_retries():
    decision = decide(PromptTimeout("no prompt", "AT+CMGS=20"), attempts=1)
    assert decision.action is Action.RETRY
    assert decision.reinitialize


def test_other_at_errors_retry_then_fail():
    assert decide(CommandError("ERROR"), attempts=1).action is Action.RETRY
    assert decide(CmeError(100), attempts=MAX_ATTEMPTS).action is Action.FAIL


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
