"""Sending as every front end does it: the recipient resolved (number or contact name),
an opt-out refused before anything is queued, then the message checked and queued."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from modemd.config import Pace
from modemd.desk import claims, pace
from modemd.desk.people import peer_for
from modemd.desk.when import checked
from modemd.errors import InvalidInputError
from modemd.store import OptOut, OutboundStatus, Store, prepare
from modemd.store.db import iso


@dataclass(frozen=True)
class Options:
    """How a send may differ from the plain one: later (`--at`), over another agent's
    claim (`--force`), and the person-to-person pace rules in force."""

    at: datetime | None = None
    force: bool = False
    pace: Pace = field(default_factory=Pace)


@dataclass(frozen=True)
class Sent:
    message_id: int
    peer: str
    parts: int
    encoding: str
    status: OutboundStatus = OutboundStatus.QUEUED
    scheduled_for: str | None = None
    warnings: tuple[str, ...] = field(default=())  # queued anyway; the agent should know


def refusal(optout: OptOut) -> str:
    """Why a send to an opted-out number queues nothing, and what would change it."""
    return (f"{optout.reason()}: nothing queued; they can opt back in by texting START"
            + ("" if optout.source is not None else
               ", or an agent can lift it with `modemd optout remove NUMBER`"))


def send(store: Store, to: str, text: str, *, operator: str, line: str | None = None,
         default_region: str | None = None, options: Options = Options()) -> Sent:
    """Queue text to `to` (a number or a contact's name) from `line` (any line if None).
    Raises InvalidInputError, queuing nothing, when the peer opted out or input is bad."""
    peer = peer_for(store, to, default_region)
    requested = None if line is None else line_id(store, line)
    return _queue(store, peer, text, operator=operator, requested=requested,
                  default_region=default_region, options=options)


def line_id(store: Store, line: str) -> int:
    """The line an agent names by id, name, own number, ICCID or IMSI; refused when none
    is."""
    found = store.lines.resolve(line)
    if found is None:
        raise InvalidInputError(f"no line {line!r}: `modemd status` lists the lines")
    return found


def reply(store: Store, message_id: int, text: str, *, operator: str,
          default_region: str | None = None, options: Options = Options()) -> Sent:
    """Answer inbound message_id: to its sender, from the line it came in on (the
    customer sees the number they wrote to). The same checks as send."""
    origin = store.inbox.origin(message_id)
    if origin is None:
        raise InvalidInputError(f"no inbound message {message_id}: `modemd inbox` lists "
                                "them (reply answers a message someone sent us)")
    peer, line_id = origin
    if not peer.startswith("+"):
        raise InvalidInputError(f"message {message_id} came from {peer!r}, a sender name "
                                "(alphanumeric), not a number: it cannot be answered")
    return _queue(store, peer, text, operator=operator, requested=line_id,
                  default_region=default_region, options=options, answering=message_id)


def _queue(store: Store, peer: str, text: str, *, operator: str, requested: int | None,
           default_region: str | None, options: Options, answering: int | None = None) -> Sent:
    message = prepare(peer, text, operator=operator, default_region=default_region,
                      requested_line=requested, answering=answering)
    scheduled_for = None if options.at is None else iso(checked(options.at))
    with store.database.write() as conn:  # one transaction: a STOP cannot slip in between
        optout = store.optouts.get(peer)
        if optout is not None:
            raise InvalidInputError(refusal(optout))
        over_claim = claims.check(store, peer, operator, options.force)
        warnings = tuple(filter(None, [claims.recent_other(store, peer, operator)]))
        cleared = pace.check(conn, peer, operator, requested=requested, rules=options.pace)
        message_id = store.outbox.enqueue(message, scheduled_for=scheduled_for,
                                          new_contact=cleared.new_contact,
                                          line_id=cleared.line_id)
        claims.forced(store, over_claim, operator, message_id)
    status = OutboundStatus.QUEUED if scheduled_for is None else OutboundStatus.SCHEDULED
    return Sent(message_id, peer, len(message.parts), message.encoding, status, scheduled_for,
                warnings)
