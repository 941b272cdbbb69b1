"""Outbound: send a claimed message part by part; each part's fate per the policy."""

from __future__ import annotations

import logging
from collections.abc import Callable

from modemd.at import AtError
from modemd.modem import Modem
from modemd.services.policy import Action, Decision, decide
from modemd.sms import OutboundPdu
from modemd.store import Claim, Store
from modemd.transport import PortLost

log = logging.getLogger(__name__)


def send_claim(store: Store, modem: Modem, line_id: int, claim: Claim,
               stopping: Callable[[], bool]) -> Decision | None:
    """None when every part went out; else the decision that stopped the message."""
    for part in claim.parts:
        if stopping():
            store.outbox.release(claim.message_id, "daemon stopped between parts")
            return Decision(Action.PAUSE_LINE, "stopping")
        store.outbox.part_sending(part.id, line_id)  # committed before the PDU goes out
        try:
            mr = modem.send_part(OutboundPdu(part.pdu, part.tpdu_length, None, ""))
        except (AtError, PortLost) as error:
            decision = decide(error, claim.attempts)
            _apply(store, claim, part.id, decision)
            return decision
        store.outbox.part_sent(claim.message_id, part.id, mr)
    return None


def _apply(store: Store, claim: Claim, part_id: int, decision: Decision) -> None:
    outbox, message_id = store.outbox, claim.message_id
    log.log(40 if decision.alert else 20, "message %s: %s (%s)", message_id,
            decision.action.value, decision.reason)
    if decision.action is Action.RETRY:
        outbox.part_retry(message_id, part_id, decision.delay, decision.reason)
    elif decision.action is Action.FAIL:
        outbox.part_failed(message_id, part_id, decision.reason)
    elif decision.action is Action.UNKNOWN:
        outbox.part_unknown(message_id, part_id, decision.reason)
    elif decision.action is Action.PAUSE_LINE:
        outbox.part_released(message_id, part_id, decision.reason)
    else:  # SUBMITTED: the SC has it already; no MR to match a report with
        outbox.part_sent(message_id, part_id, None)
