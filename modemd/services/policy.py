"""What a failed send does to the message and to the line: pure, the attempt count passed in.

The +CMS ERROR classes follow TS 24.011 E-2, TS 23.040 9.2.3.22 and TS 27.005 3.2.5
(see modemd.at.cms). The phase of the send matters first: before the PDU nothing can
have gone out, so no failure then is ever `unknown`. A failing message or number
never blocks the rest: every decision frees the line for the next message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from modemd.at import AtError, AtTimeout, ChannelClosed, CmsClass, CmsError, PromptTimeout
from modemd.modem import SendFailed
from modemd.store import PauseCause

MAX_ATTEMPTS = 5
ME_FAILURE_ATTEMPTS = 3


class Action(Enum):
    """What happens to the message."""

    REQUEUE = "back to the queue at once: nothing went out"
    RETRY = "retry later"
    FAIL = "fail the message"
    RELEASE = "back to the queue for another line: this one cannot send"
    UNKNOWN = "may have been sent: an agent decides"
    SUBMITTED = "the SC already has it"


class LineEffect(Enum):
    """What happens to the line that tried."""

    NONE = "the line goes on"
    PAUSE = "the line stops sending until the pause's cause ends"
    REINITIALIZE = "the modem runs its init sequence again, on the same port"
    END_SESSION = "the port is gone or the modem silent: close it, start anew"


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    attempted: bool  # the modem answered, or the PDU went: this try counts
    delay: timedelta = timedelta(0)
    line: LineEffect = LineEffect.NONE
    pause: PauseCause | None = None
    alert: bool = False  # our bug or the line's: log loudly
    error: Exception | None = field(default=None, compare=False)  # ends the session


def backoff(attempts: int, base: float = 5.0, cap: float = 300.0) -> timedelta:
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def decide(failure: SendFailed, attempts: int) -> Decision:
    """attempts: earlier tries of this message that reached the modem."""
    cause, reason = failure.cause, str(failure)
    if isinstance(cause, CmsError):
        return _for_cms(cause, reason, attempts + 1, failure.pdu_written)
    if isinstance(cause, AtError) and not isinstance(cause, AtTimeout | ChannelClosed):
        # plain ERROR or +CME: the modem refused; it may be in the wrong mode
        return _retry_or_fail(reason, attempts + 1, line=LineEffect.REINITIALIZE)
    return _unanswered(cause, reason, failure.pdu_written)


def _unanswered(cause: Exception, reason: str, written: bool) -> Decision:
    """No answer: a timeout, the port gone, or the channel closed by a stop."""
    if written:  # it may have gone out
        if isinstance(cause, AtError):  # the channel resyncs before the next command
            return Decision(Action.UNKNOWN, reason, True)
        return Decision(Action.UNKNOWN, reason, True, line=LineEffect.END_SESSION, error=cause)
    if isinstance(cause, PromptTimeout):
        return Decision(Action.REQUEUE, reason, False, line=LineEffect.REINITIALIZE)
    if isinstance(cause, ChannelClosed):  # the daemon is stopping
        return Decision(Action.REQUEUE, reason, False)
    return Decision(Action.REQUEUE, reason, False, line=LineEffect.END_SESSION, error=cause)


def _retry_or_fail(reason: str, tries: int, *, limit: int = MAX_ATTEMPTS,
                   line: LineEffect = LineEffect.NONE,
                   delay: timedelta | None = None) -> Decision:
    if tries >= limit:
        return Decision(Action.FAIL, f"{reason} (gave up after {tries} attempts)", True,
                        line=line)
    return Decision(Action.RETRY, reason, True, delay or backoff(tries), line)


_PAUSES = {  # class -> (cause, alert)
    CmsClass.LINE_CANNOT_SEND: (PauseCause.CANNOT_SEND, True),
    CmsClass.SMSC_UNKNOWN: (PauseCause.SMSC_UNKNOWN, True),
    CmsClass.NO_SERVICE: (PauseCause.NO_SERVICE, False),
    CmsClass.SIM_FAILED: (PauseCause.SIM, True),
}
_FINAL = {  # classes decided at once, whatever the attempt count
    CmsClass.PERMANENT: (Action.FAIL, False),
    CmsClass.MALFORMED: (Action.FAIL, True),
    CmsClass.DUPLICATE: (Action.SUBMITTED, False),
    CmsClass.AMBIGUOUS: (Action.UNKNOWN, False),
}
_NEED_THE_PDU = {CmsClass.DUPLICATE, CmsClass.AMBIGUOUS}  # before it, they mean nothing


def _for_cms(error: CmsError, reason: str, tries: int, written: bool) -> Decision:
    kind = error.kind
    if kind in _FINAL and (written or kind not in _NEED_THE_PDU):
        action, alert = _FINAL[kind]
        return Decision(action, reason, True, alert=alert)
    if kind in _PAUSES:
        cause, alert = _PAUSES[kind]
        return Decision(Action.RELEASE, reason, True, line=LineEffect.PAUSE, pause=cause,
                        alert=alert)
    if kind is CmsClass.SIM_PIN:  # one unlock with the configured PIN, by a re-init
        return Decision(Action.RELEASE, reason, True, line=LineEffect.REINITIALIZE)
    if kind is CmsClass.ME_FAILURE:
        return _retry_or_fail(reason, tries, limit=ME_FAILURE_ATTEMPTS,
                              line=LineEffect.REINITIALIZE)
    if kind is CmsClass.SIM_BUSY:
        return _retry_or_fail(reason, tries, delay=timedelta(seconds=3))
    return _retry_or_fail(reason, tries)  # TEMPORARY, MEMORY, UNKNOWN codes
