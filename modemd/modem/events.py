"""URCs turned into what they mean for SMS: a stored message, a direct PDU, a report."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from modemd.at import Urc, is_number


@dataclass(frozen=True)
class Stored:
    """+CMTI / +CDSI: a message (or report) waits at memory:index."""

    memory: str
    index: int
    report: bool
    # time.monotonic() as the URC arrived: its latency to the commit is a metric
    arrived: float = field(default_factory=time.monotonic, compare=False)


@dataclass(frozen=True)
class Direct:
    """+CMT / +CDS: the PDU itself, not stored anywhere."""

    pdu: str
    report: bool


@dataclass(frozen=True)
class RegistrationChanged:
    stat: int


@dataclass(frozen=True)
class Other:
    urc: Urc


Event = Stored | Direct | RegistrationChanged | Other


def interpret(urc: Urc) -> Event:
    fields = urc.fields
    if urc.name in ("+CMTI", "+CDSI") and len(fields) >= 2 and is_number(fields[-1]):
        return Stored(fields[0].upper(), int(fields[-1]), urc.name == "+CDSI")
    if urc.name in ("+CMT", "+CDS") and urc.payload:
        return Direct(urc.payload.strip().upper(), urc.name == "+CDS")
    if urc.name in ("+CREG", "+CGREG", "+CEREG") and fields and is_number(fields[0]):
        return RegistrationChanged(int(fields[0]))
    return Other(urc)
