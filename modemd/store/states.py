"""Every status word modemd stores, and the one transition table of each state machine.

Outbound messages, their parts, inbound messages and lines each have an enum and a
table of allowed moves. Code moves a row only through `guard()`, SQL names statuses
only through these enums (as parameters or `sql_list`), and the schema's CHECK
constraints are generated from the same enums (migrations.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from modemd.errors import ModemdError


class IllegalTransition(ModemdError):
    """A state change the lifecycle forbids, e.g. a delivered message back to queued."""


class OutboundStatus(StrEnum):
    SCHEDULED = "scheduled"  # an agent's `send --at`: it joins the queue at scheduled_for
    QUEUED = "queued"  # waiting for a line (maybe not before next_attempt_at)
    SENDING = "sending"  # a line claimed it; parts are going out
    SENT = "sent"  # every part was accepted by the SC
    DELIVERED = "delivered"  # every part's report said delivered
    FAILED = "failed"  # refused for good, or a report said it failed
    EXPIRED = "expired"  # the SC gave up: validity period over
    UNKNOWN = "unknown"  # a PDU went out without an answer: may have been sent
    CANCELLED = "cancelled"  # an agent took it back before any part went out


class PartStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # committed before AT+CMGS; payload_at is set before the PDU
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"  # its message was cancelled before it went out


class InboundStatus(StrEnum):
    RECEIVED = "received"
    INCOMPLETE = "incomplete"  # a part is missing (a late part merges in)


class LineState(StrEnum):
    STARTING = "starting"
    INITIALIZING = "initializing"
    OK = "ok"
    PAUSED = "paused"  # registered, but sending waits for its PauseCause to end
    NO_SERVICE = "no_service"
    OFFLINE = "offline"  # the port is gone or cannot be opened
    UNRESPONSIVE = "unresponsive"  # the modem stopped answering
    SIM_ERROR = "sim_error"
    PIN_REJECTED = "pin_rejected"  # stays until a restart with another PIN
    ERROR = "error"  # a bug in modemd: see the log
    STOPPED = "stopped"


class PauseCause(StrEnum):
    """Why a paused line does not send, and so what ends the pause."""

    SMSC_UNKNOWN = "smsc_unknown"  # +CMS 330: a configuration change, restart or agent
    CANNOT_SEND = "cannot_send"  # barred, unsubscribed: the operator's fix, then an agent
    NO_SERVICE = "no_service"  # +CMS 331: registration back
    SIM = "sim"  # SIM missing or failed: the SIM ready again


class EventKind(StrEnum):
    """What an event in the outbox reports (`watch`, and later the API and webhooks)."""

    INBOUND = "inbound"  # a message arrived (complete, or incomplete: parts missing)
    STATUS = "status"  # an outbound message was queued or changed status
    LINE = "line"  # a line's state changed
    OPTOUT = "optout"  # a number opted out or back in


class DeliveryStatus(StrEnum):
    """One event's delivery to one webhook or hook."""

    PENDING = "pending"  # to be tried (again at next_attempt_at)
    DELIVERED = "delivered"  # the receiver said 2xx, or the hook exited 0
    FAILED = "failed"  # retried until the retry window closed; an agent may requeue it


DELIVERY_TRANSITIONS: Mapping[DeliveryStatus, frozenset[DeliveryStatus]] = {
    DeliveryStatus.PENDING: frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.FAILED}),
    DeliveryStatus.DELIVERED: frozenset(),
    DeliveryStatus.FAILED: frozenset({DeliveryStatus.PENDING}),  # `modemd hooks retry`
}


_O, _P, _I, _L = OutboundStatus, PartStatus, InboundStatus, LineState

OUTBOUND_TRANSITIONS: Mapping[OutboundStatus, frozenset[OutboundStatus]] = {
    _O.SCHEDULED: frozenset({_O.QUEUED, _O.FAILED, _O.CANCELLED}),
    _O.QUEUED: frozenset({_O.SENDING, _O.FAILED, _O.CANCELLED}),  # failed: an opt-out
    _O.SENDING: frozenset({_O.QUEUED, _O.SENT, _O.FAILED, _O.UNKNOWN}),
    _O.SENT: frozenset({_O.DELIVERED, _O.FAILED, _O.EXPIRED}),  # by the parts' reports
    _O.DELIVERED: frozenset(),
    _O.FAILED: frozenset({_O.QUEUED}),  # an agent's resend
    _O.EXPIRED: frozenset({_O.QUEUED}),
    _O.UNKNOWN: frozenset({_O.QUEUED}),
    _O.CANCELLED: frozenset(),
}

PART_TRANSITIONS: Mapping[PartStatus, frozenset[PartStatus]] = {
    _P.QUEUED: frozenset({_P.SENDING, _P.FAILED, _P.CANCELLED}),  # failed: an opt-out
    _P.SENDING: frozenset({_P.QUEUED, _P.SENT, _P.FAILED, _P.UNKNOWN}),
    _P.SENT: frozenset({_P.DELIVERED, _P.FAILED}),  # by its status report
    _P.DELIVERED: frozenset(),
    _P.FAILED: frozenset({_P.QUEUED}),  # an agent's resend
    _P.UNKNOWN: frozenset({_P.QUEUED}),
    _P.CANCELLED: frozenset(),
}

INBOUND_TRANSITIONS: Mapping[InboundStatus, frozenset[InboundStatus]] = {
    _I.INCOMPLETE: frozenset({_I.RECEIVED}),  # the missing part arrived late
    _I.RECEIVED: frozenset(),
}

# A line that answers can go anywhere but back to starting; one that is down comes
# back only through initializing; a rejected PIN waits for a restart.
_UP = frozenset({_L.INITIALIZING, _L.OK, _L.PAUSED, _L.NO_SERVICE, _L.OFFLINE,
                 _L.UNRESPONSIVE, _L.SIM_ERROR, _L.ERROR, _L.STOPPED})
_DOWN = frozenset({_L.INITIALIZING, _L.OFFLINE, _L.STOPPED})
LINE_TRANSITIONS: Mapping[LineState, frozenset[LineState]] = {
    _L.STARTING: _DOWN,
    _L.INITIALIZING: _UP - {_L.INITIALIZING} | {_L.PIN_REJECTED},
    _L.OK: _UP - {_L.OK},
    _L.PAUSED: _UP - {_L.PAUSED},
    _L.NO_SERVICE: _UP - {_L.NO_SERVICE},
    _L.OFFLINE: _DOWN - {_L.OFFLINE},
    _L.UNRESPONSIVE: _DOWN,
    _L.SIM_ERROR: _DOWN,
    _L.ERROR: _DOWN,
    _L.PIN_REJECTED: frozenset({_L.STOPPED}),
    _L.STOPPED: frozenset(),
}

# "Still in the queue": what counts toward a line's queue depth and `status`.
IN_QUEUE = (OutboundStatus.QUEUED, OutboundStatus.SENDING)
# Parts that need no more sending: a message whose parts are all here is sent.
PART_DONE = (PartStatus.SENT, PartStatus.DELIVERED, PartStatus.FAILED)
# Waiting, no part out yet: what an opt-out fails and an agent may cancel.
NOT_STARTED = (OutboundStatus.SCHEDULED, OutboundStatus.QUEUED)
# What an agent may resend.
RESENDABLE = (OutboundStatus.FAILED, OutboundStatus.UNKNOWN, OutboundStatus.EXPIRED)
# Line states that do not answer for the modem: shown as trouble in the log.
LINE_TROUBLE = frozenset({_L.PAUSED, _L.NO_SERVICE, _L.OFFLINE, _L.UNRESPONSIVE,
                          _L.SIM_ERROR, _L.PIN_REJECTED, _L.ERROR})


def allowed(table: Mapping, old: str, new: str) -> bool:
    """Does the table allow old -> new (staying is allowed)?"""
    kind = type(next(iter(table)))
    return kind(new) == kind(old) or kind(new) in table[kind(old)]


def guard(table: Mapping, what: str, old: str, new: str) -> None:
    """Raise IllegalTransition unless the table allows old -> new."""
    if not allowed(table, old, new):
        kind = type(next(iter(table)))
        raise IllegalTransition(f"{what} cannot go from {kind(old)} to {kind(new)}")


def sql_list(states: Iterable[str]) -> str:
    """A SQL list of quoted status words, for IN (...) and CHECK constraints."""
    return "(" + ", ".join(f"'{state}'" for state in states) + ")"
