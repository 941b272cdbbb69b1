"""What to do when a send fails: pure, the clock and the attempt count passed in.

The +CMS ERROR classes are DOMAIN.md's table. A failing message or number never
blocks the rest: every decision frees the line for the next message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from modemd.at import AtError, AtTimeout, CmsClass, CmsError, PromptTimeout
from modemd.transport import PortLost

MAX_ATTEMPTS = 5
ME_FAILURE_ATTEMPTS = 3


class Action(Enum):
    RETRY = "retry later"
    FAIL = "fail the message"
    PAUSE_LINE = "keep it queued; the line cannot send"
    UNKNOWN = "may have been sent: an agent decides"
    SUBMITTED = "the SC already has it"


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    delay: timedelta = timedelta(0)
    reinitialize: bool = False  # the modem needs its init sequence again
    alert: bool = False  # our bug or the line's: log loudly


def backoff(attempts: int, base: float = 5.0, cap: float = 300.0) -> timedelta:
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def decide(error: Exception, attempts: int) -> Decision:
    """attempts: how many times this message was claimed, this one included."""
    reason = str(error)
    if isinstance(error, PromptTimeout):
        return _retry_or_fail(reason, attempts, reinitialize=True)  # no PDU went out
    if isinstance(error, AtTimeout | PortLost):
        return Decision(Action.UNKNOWN, f"no answer after the PDU was written: {reason}")
    if isinstance(error, CmsError):
        return _for_cms(error, attempts)
    if isinstance(error, AtError):
        return _retry_or_fail(reason, attempts, reinitialize=True)
    return Decision(Action.UNKNOWN, f"unexpected failure while sending: {reason}", alert=True)


def _retry_or_fail(reason: str, attempts: int, *, limit: int = MAX_ATTEMPTS,
                   reinitialize: bool = False, delay: timedelta | None = None) -> Decision:
    if attempts >= limit:
        return Decision(Action.FAIL, f"{reason} (gave up after {attempts} attempts)")
    return Decision(Action.RETRY, reason, delay or backoff(attempts), reinitialize)


_PAUSE = {CmsClass.LINE_CANNOT_SEND, CmsClass.SIM_FAILED, CmsClass.SIM_PIN,
          CmsClass.SMSC_UNKNOWN, CmsClass.NO_SERVICE}
_FINAL = {  # classes decided at once, whatever the attempt count
    CmsClass.PERMANENT: (Action.FAIL, False),
    CmsClass.MALFORMED: (Action.FAIL, True),
    CmsClass.DUPLICATE: (Action.SUBMITTED, False),
    CmsClass.AMBIGUOUS: (Action.UNKNOWN, False),
}


def _for_cms(error: CmsError, attempts: int) -> Decision:
    kind, reason = error.kind, str(error)
    if kind in _FINAL:
        action, alert = _FINAL[kind]
        return Decision(action, reason, alert=alert)
    if kind in _PAUSE:
        return Decision(Action.PAUSE_LINE, reason, reinitialize=kind is CmsClass.SIM_PIN,
                        alert=kind is not CmsClass.NO_SERVICE)
    if kind is CmsClass.ME_FAILURE:
        return _retry_or_fail(reason, attempts, limit=ME_FAILURE_ATTEMPTS, reinitialize=True)
    if kind is CmsClass.SIM_BUSY:
        return _retry_or_fail(reason, attempts, delay=timedelta(seconds=3))
    return _retry_or_fail(reason, attempts)  # TEMPORARY, MEMORY, UNKNOWN codes
