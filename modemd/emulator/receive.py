"""Inbound at the modem: store-and-notify (+CMTI/+CDSI) or direct (+CMT/+CDS) per +CNMI."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from modemd.emulator import textmode
from modemd.emulator.storage import Stat, Stored

if TYPE_CHECKING:
    from collections.abc import Callable

    from modemd.emulator.modem import EmulatedModem
    from modemd.sms import OutboundPdu

ACK_TIMEOUT = 15.0  # 27.005: without +CNMA in time the network retries


@dataclass
class Inbound:
    """A PDU the network is trying to hand to a line."""

    kind: str  # "deliver" or "report"
    pdu: OutboundPdu
    message_class: int | None = None
    on_delivered: Callable[[], None] | None = None
    about: dict | None = None  # a report: the submission it reports on (mr, to, pdu)


def accept(modem: EmulatedModem, inbound: Inbound) -> bool:
    """Take the PDU now (True) or refuse it so the network holds it (False)."""
    with modem.lock:
        if not modem.in_service or modem.awaiting_ack is not None:
            return False
        route = (_report if inbound.kind == "report" else _deliver)(modem, inbound)
        if route is None:
            return False
        _note(modem, inbound, route)
        if modem.awaiting_ack is None and inbound.on_delivered:
            inbound.on_delivered()
        return True


def _note(modem: EmulatedModem, inbound: Inbound, route: str) -> None:
    """The line's `received` record: what the network handed over, and where it went."""
    modem.received.append({"time": time.time(), "kind": inbound.kind,
                           "pdu": inbound.pdu.pdu, "route": route, "about": inbound.about})


def _deliver(modem: EmulatedModem, inbound: Inbound) -> str | None:
    """Where the PDU went (a memory, or "direct"); None when it did not fit."""
    mt = modem.settings.cnmi[1]
    cls = inbound.message_class
    if (mt == 2 and cls != 2) or (mt == 3 and cls == 3):
        _direct(modem, "+CMT", inbound)
        return "direct"
    memory = "SM" if cls == 2 else modem.settings.cpms[2]
    return _store(modem, memory, inbound, "+CMTI" if mt else None)


def _report(modem: EmulatedModem, inbound: Inbound) -> str | None:
    ds = modem.settings.cnmi[3]
    if ds == 0:
        return "discarded"  # not routed to the TE: the report is gone, as on real modems
    if ds == 1:
        _direct(modem, "+CDS", inbound)
        return "direct"
    memory = "SR" if "SR" in modem.sim.storages else modem.settings.cpms[2]
    return _store(modem, memory, inbound, "+CDSI")


def _store(modem: EmulatedModem, memory: str, inbound: Inbound,
           notify: str | None) -> str | None:
    stored = Stored(Stat.REC_UNREAD, inbound.pdu.pdu, inbound.pdu.tpdu_length,
                    is_report=inbound.kind == "report")
    index = modem.sim.storages[memory].put(stored)
    if index is None:
        return None
    if notify:
        modem.urc(f'{notify}: "{memory}",{index}', sms=True)
    return memory


def _direct(modem: EmulatedModem, name: str, inbound: Inbound) -> None:
    if modem.settings.cmgf == 1:
        header, text = textmode.direct_lines(modem, name, inbound.pdu.pdu)
        modem.urc(header, text, sms=True)
    else:
        alpha = "," if name == "+CMT" else ""  # 27.005: +CMT: [<alpha>],<length>; +CDS: <length>
        modem.urc(f"{name}: {alpha}{inbound.pdu.tpdu_length}", inbound.pdu.pdu, sms=True)
    if modem.settings.csms == 1:
        modem.awaiting_ack = inbound
        modem.later(ACK_TIMEOUT, lambda: _ack_timeout(modem, inbound))


def _ack_timeout(modem: EmulatedModem, inbound: Inbound) -> None:
    with modem.lock:
        if modem.awaiting_ack is not inbound:
            return
        modem.awaiting_ack = None
    modem.network.requeue(modem, inbound)


def acknowledge(modem: EmulatedModem) -> bool:
    """+CNMA: the TE took the last +CMT/+CDS. False when nothing awaited one."""
    with modem.lock:
        inbound, modem.awaiting_ack = modem.awaiting_ack, None
    if inbound is None:
        return False
    if inbound.on_delivered:
        inbound.on_delivered()
    modem.network.line_ready(modem)
    return True
