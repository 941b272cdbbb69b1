"""Inbound: read, commit to SQLite, then delete from the SIM — never the other way round."""

from __future__ import annotations

import logging

from modemd.modem import Direct, Modem, Stored, StoredMessage
from modemd.services import metrics
from modemd.sms import Deliver, StatusReport, Submit, Undecodable, decode_from_sc
from modemd.store import Store

log = logging.getLogger(__name__)


def record(store: Store, line_id: int, pdu: str,
           decoded: Deliver | StatusReport | Submit | Undecodable) -> bool:
    """Commit one PDU in one transaction; True when it is safe to delete it from the
    modem. A duplicate commits nothing new and is safe to delete too."""
    if isinstance(decoded, Deliver):
        store.inbox.record(line_id, pdu, decoded)
    elif isinstance(decoded, StatusReport):
        store.reports.record(line_id, pdu, decoded)
    elif isinstance(decoded, Undecodable):
        store.inbox.quarantine(line_id, pdu, decoded.reason)
    else:
        return False  # a stored outgoing draft: not ours to take
    return True


def take_stored(store: Store, modem: Modem, line_id: int, event: Stored) -> None:
    """+CMTI/+CDSI: (CPMS) -> CMGR -> one commit -> CMGD, with no command in between.
    CPMS only when another memory is selected (see Modem.storage)."""
    with modem.storage(event.memory) as session:
        message = session.read(event.index)  # None: already taken (a sweep got there first)
        if message is not None and record(store, line_id, message.pdu, message.decoded):
            if not event.report:
                metrics.inbound_committed(store, line_id, event.arrived)
            session.delete(event.index)
    metrics.storage(store, line_id, modem.usage)


def take_direct(store: Store, line_id: int, event: Direct) -> None:
    """+CMT/+CDS: the PDU came with the URC and lives nowhere else: commit it."""
    record(store, line_id, event.pdu, decode_from_sc(event.pdu))


def sweep(store: Store, modem: Modem, line_id: int) -> int:
    """Everything waiting on the modem (lost +CMTI, messages from before start)."""
    taken = 0
    by_memory: dict[str, list[StoredMessage]] = {}
    for message in modem.sweep():
        by_memory.setdefault(message.memory, []).append(message)
    for memory, messages in by_memory.items():
        with modem.storage(memory) as session:
            for message in messages:
                if record(store, line_id, message.pdu, message.decoded):
                    session.delete(message.index)
                    taken += 1
    metrics.storage(store, line_id, modem.usage)
    if taken:
        log.info("line %s: swept %d stored message(s)", line_id, taken)
    return taken
