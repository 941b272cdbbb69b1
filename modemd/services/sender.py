"""Outbound: send a claimed message part by part; each failed part's fate per the policy.

Per part: `sending` is committed, AT+CMGS goes out, and at the prompt `payload_at` is
committed just before the first PDU byte. Only then may the part have left.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial

from modemd.modem import Modem, SendFailed
from modemd.services import metrics
from modemd.services.gate import Unrecorded, recorded
from modemd.services.policy import Action, Decision, decide
from modemd.sms import OutboundPdu
from modemd.store import Claim, Store, StoreFull

log = logging.getLogger(__name__)

STOPPING = "the daemon stopped between parts"


def send_claim(store: Store, modem: Modem, line_id: int, claim: Claim,
               stopping: Callable[[], bool]) -> Decision | None:
    """None when every part went out; else the decision that stopped the message.

    On a full disk it raises Unrecorded, whose write records what the modem did and
    puts the claim's message back in the queue.
    """
    outbox, message_id, attempted = store.outbox, claim.message_id, False
    settle = partial(outbox.settle, message_id, "the database disk was full")

    def record(write: Callable[[], None]) -> None:
        recorded(write, _then(write, settle))

    for part in claim.parts:
        if stopping():
            outbox.release(message_id, STOPPING)
            return Decision(Action.REQUEUE, STOPPING, False)
        started = time.monotonic()  # the claim, or the previous part's answer
        recorded(partial(outbox.part_sending, part.id, line_id), settle)
        try:
            mr = modem.send_part(OutboundPdu(part.pdu, part.tpdu_length, None, ""),
                                 before_pdu=partial(outbox.part_payload, part.id))
        except SendFailed as failure:
            decision = decide(failure, claim.attempts)
            metrics.send_failed(store, line_id, failure, decision)
            record(partial(_apply, store, claim, part.id, decision, first=not attempted))
            if decision.action is not Action.SUBMITTED:  # (the SC had it already: go on)
                return decision
        except StoreFull as error:  # at the prompt: ESC was sent instead of the PDU
            unsent = partial(outbox.part_released, message_id, part.id, str(error),
                             attempt=False)
            raise Unrecorded(error, _then(unsent, settle)) from error
        else:
            metrics.part_submitted(store, line_id, started)
            record(partial(outbox.part_sent, message_id, part.id, mr, attempt=not attempted))
        attempted = True
    return None


def _then(*writes: Callable[[], None]) -> Callable[[], None]:
    def both() -> None:
        for write in writes:
            write()

    return both


def _apply(store: Store, claim: Claim, part_id: int, decision: Decision, *,
           first: bool) -> None:
    """Record the decision; `first`: no earlier part of this claim counted a try."""
    outbox, message_id = store.outbox, claim.message_id
    attempt = decision.attempted and first
    log.log(logging.ERROR if decision.alert else logging.INFO, "message %s: %s (%s)",
            message_id, decision.action.value, decision.reason)
    if decision.action is Action.RETRY:
        outbox.part_retry(message_id, part_id, decision.delay, decision.reason, attempt=attempt)
    elif decision.action is Action.FAIL:
        outbox.part_failed(message_id, part_id, decision.reason, attempt=attempt)
    elif decision.action is Action.UNKNOWN:
        outbox.part_unknown(message_id, part_id, decision.reason, attempt=attempt)
    elif decision.action is Action.SUBMITTED:
        outbox.part_sent(message_id, part_id, None, attempt=attempt)
    else:  # REQUEUE, RELEASE: back to the queue
        outbox.part_released(message_id, part_id, decision.reason, attempt=attempt)
