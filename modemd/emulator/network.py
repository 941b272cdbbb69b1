"""The network between emulated lines: routing, delays, status reports, held messages.

All cross-line work runs on the scheduler thread, so a modem holding its own
lock never waits for the network (no lock-order deadlocks).
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from modemd.emulator import receive
from modemd.emulator.modem import EmulatedModem
from modemd.emulator.receive import Inbound
from modemd.emulator.scheduler import Scheduler
from modemd.errors import InvalidInputError
from modemd.sms import (
    Address,
    OutboundPdu,
    Submit,
    deliver_user_data,
    encode_deliver,
    encode_status_report,
)

if TYPE_CHECKING:
    from modemd.emulator.profiles import Profile
    from modemd.emulator.spec import LineSpec

SMSC = "+15550000000"
RETRY_SECONDS = 2.0  # after an unacknowledged +CMT the network tries again


class Port(Protocol):
    """The USB side of a modem: the network pulls it for a reboot."""

    def unplug(self) -> None: ...

    def replug(self) -> None: ...


def digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())


class Network:
    def __init__(
        self,
        *,
        delivery_delay: float = 0.0,
        report_delay: float = 0.0,
        submit_delay: float = 0.0,
        report_status: int = 0x00,
        seed: int | None = None,
    ) -> None:
        self.scheduler = Scheduler()
        self.delivery_delay = delivery_delay
        self.report_delay = report_delay
        self.submit_delay = submit_delay
        self.report_status = report_status  # TP-ST for reports, unless overridden per number
        self.report_status_for: dict[str, int] = {}
        self.modems: dict[str, EmulatedModem] = {}
        self.ports: dict[str, Port] = {}
        self.outside: list[dict] = []  # what went to numbers not on this network
        self.rng = random.Random(seed)
        self._held: dict[str, deque[Inbound]] = {}
        self._lock = threading.Lock()

    def add(self, spec: LineSpec, profile: Profile) -> EmulatedModem:
        if spec.name in self.modems:
            raise InvalidInputError(f"an emulated line named {spec.name!r} already exists")
        modem = EmulatedModem(spec, profile, self)
        self.modems[spec.name] = modem
        self._held[spec.name] = deque()
        return modem

    def modem(self, name: str) -> EmulatedModem:
        try:
            return self.modems[name]
        except KeyError:
            known = ", ".join(self.modems) or "none"
            raise InvalidInputError(f"no emulated line {name!r} (lines: {known})") from None

    def by_number(self, number: str) -> EmulatedModem | None:
        wanted = digits(number)
        return next((m for m in self.modems.values() if digits(m.spec.number) == wanted), None)

    def close(self) -> None:
        self.scheduler.stop()

    # ---- outbound: a line submitted a message ---------------------------------------

    def submit(self, sender: EmulatedModem, message: Submit, mr: int, pdu: str = "") -> None:
        """Called with the sender's lock held: only schedules. pdu: as the TE typed it (a
        status report names it in the line's `received` record)."""
        submitted_at = datetime.now(UTC)
        self.scheduler.call_later(
            self.delivery_delay, lambda: self._route(sender, message, mr, submitted_at, pdu)
        )

    def _route(self, sender: EmulatedModem, message: Submit, mr: int, at: datetime,
               submitted_pdu: str) -> None:
        def delivered() -> None:
            if message.status_report_requested and not sender.faults.drop_reports:
                self.scheduler.call_later(
                    self.report_delay,
                    lambda: self._report(sender, message, mr, at, submitted_pdu))

        target = self.by_number(message.destination.number)
        originator = Address.parse(sender.spec.number)
        pdu = encode_deliver(originator, message.user_data, timestamp=at, smsc=SMSC)
        if target is None:
            self.outside.append(
                {"time": time.time(), "from": sender.spec.number, "to": message.destination.number,
                 "text": message.text, "pdu": pdu.pdu}
            )
            delivered()
            return
        inbound = Inbound("deliver", pdu, message.user_data.message_class, delivered)
        self.offer(target, inbound)

    def _report(self, sender: EmulatedModem, message: Submit, mr: int, at: datetime,
                submitted_pdu: str) -> None:
        status = self.report_status_for.get(
            digits(message.destination.number), self.report_status
        )
        pdu = encode_status_report(
            mr, message.destination, submitted_at=at, discharged_at=datetime.now(UTC),
            status=status, smsc=SMSC,
        )
        about = {"mr": mr, "to": message.destination.number, "pdu": submitted_pdu}
        self.offer(sender, Inbound("report", pdu, about=about))

    # ---- inbound: holding and handing over -----------------------------------------

    def offer(self, modem: EmulatedModem, inbound: Inbound) -> None:
        """Hand over now, or hold (in order) until the line can take it."""
        with self._lock:
            queue = self._held[modem.name]
            queue.append(inbound)
            self._drain(modem, queue)

    def _drain(self, modem: EmulatedModem, queue: deque[Inbound]) -> None:
        while queue and receive.accept(modem, queue[0]):
            queue.popleft()

    def line_ready(self, modem: EmulatedModem) -> None:
        """The line may take held messages again (registered, memory freed, acked)."""
        self.scheduler.call_later(0, lambda: self._drain_locked(modem))

    memory_freed = line_ready  # the SMMA of TS 24.011: "memory available"

    def _drain_locked(self, modem: EmulatedModem) -> None:
        with self._lock:
            self._drain(modem, self._held[modem.name])

    def requeue(self, modem: EmulatedModem, inbound: Inbound) -> None:
        """A +CMT the TE never acknowledged: first in line again, retried later."""
        with self._lock:
            self._held[modem.name].appendleft(inbound)
        self.scheduler.call_later(RETRY_SECONDS, lambda: self._drain_locked(modem))

    def held(self, name: str) -> int:
        return len(self._held[name])

    # ---- what the control interface drives -----------------------------------------

    def inject_text(self, name: str, originator: str, text: str, *, wide: bool = False,
                    shuffle: bool = False, drop: int | None = None, gap: float = 0.0,
                    reference: int | None = None, parts: list[int] | None = None,
                    timestamp: str | None = None) -> dict:
        """Text from anyone to a line, split as a phone splits it.

        parts: which parts go out, in this order; a repeat is the same PDU again (a
        network retransmission). timestamp: the SC time stamp (ISO 8601) instead of now,
        so a part sent later is the one the SC stamped then (a late part)."""
        modem = self.modem(name)
        sender = Address.parse(originator)
        user_data = deliver_user_data(text, reference=reference, wide_reference=wide,
                                      rng=self.rng)
        sent = self._send_order(len(user_data), shuffle, drop, parts)
        stamp = _timestamp(timestamp)
        for position, index in enumerate(sent):
            pdu = encode_deliver(sender, user_data[index], timestamp=stamp, smsc=SMSC)
            inbound = Inbound("deliver", pdu, user_data[index].message_class)
            delay = self.delivery_delay + position * gap
            self.scheduler.call_later(delay, lambda i=inbound: self.offer(modem, i))
        concat = user_data[0].concat
        return {"parts": len(user_data), "sent": [i + 1 for i in sent],
                "reference": concat.reference if concat else None,
                "timestamp": stamp.isoformat()}

    def _send_order(self, total: int, shuffle: bool, drop: int | None,
                    parts: list[int] | None) -> list[int]:
        """0-based indexes of the parts to deliver, in delivery order."""
        if parts is not None:
            if shuffle or drop is not None:
                raise InvalidInputError("parts gives the order itself: leave out shuffle/drop")
            wrong = [p for p in parts if not isinstance(p, int) or not 1 <= p <= total]
            if wrong or not parts:
                raise InvalidInputError(f"parts {parts}: the message has parts 1 to {total}")
            return [p - 1 for p in parts]
        if drop is not None and not 1 <= drop <= total:
            raise InvalidInputError(f"--drop {drop}: the message has parts 1 to {total}")
        order = list(range(total))
        if shuffle:
            self.rng.shuffle(order)
        return [i for i in order if i + 1 != drop]

    def inject_pdu(self, name: str, pdu: str, kind: str = "deliver") -> None:
        """A raw SC->MS PDU (with SMSC octets), undecodable or not, as the network sent it."""
        modem = self.modem(name)
        try:
            octets = bytes.fromhex(pdu)
        except ValueError as error:
            raise InvalidInputError(f"PDU is not hex: {error}") from error
        length = max(0, len(octets) - 1 - (octets[0] if octets else 0))
        inbound = Inbound(kind, OutboundPdu(pdu.upper(), length, None, ""))
        self.scheduler.call_later(self.delivery_delay, lambda: self.offer(modem, inbound))

    def reboot(self, modem: EmulatedModem, seconds: float | None = None) -> None:
        """AT+CFUN=1,1 (or a firmware crash): the OK goes out, then USB drops and comes
        back after seconds (default: the profile's reboot time)."""
        port = self.ports.get(modem.name)
        if port is None:
            return
        down = modem.profile.reboot_seconds if seconds is None else seconds
        self.scheduler.call_later(0.05, port.unplug)
        self.scheduler.call_later(0.05 + down, port.replug)


def _timestamp(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError as error:
        raise InvalidInputError(f"timestamp {text!r} is not ISO 8601: {error}") from error
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
