"""Stored messages: +CMGL, +CMGR, +CMGD, +CMGW, +CMSS (mem1 reads, mem2 writes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modemd.emulator import textmode
from modemd.emulator.cmdline import Invocation
from modemd.emulator.commands.registry import command
from modemd.emulator.commands.sms_settings import require_sms_ready
from modemd.emulator.replies import CmsError, Prompt, Reply
from modemd.emulator.storage import TEXT_STATS, Stat, Storage, Stored

if TYPE_CHECKING:
    from modemd.emulator.modem import EmulatedModem

TEXT_STAT_LIST = '("REC UNREAD","REC READ","STO UNSENT","STO SENT","ALL")'


def _memory(modem: EmulatedModem, which: int) -> Storage:
    return modem.sim.storages[modem.settings.cpms[which]]


def _entry(modem: EmulatedModem, lead: str, stored: Stored) -> list[str]:
    if modem.settings.cmgf == 1:
        return textmode.listing(modem, lead, stored)
    return [f"{lead}{stored.stat.value},,{stored.tpdu_length}", stored.pdu]


def _wanted_stat(modem: EmulatedModem, inv: Invocation) -> Stat | None:
    if modem.settings.cmgf == 1:
        name = (inv.arg(0) or "REC UNREAD").upper()
        if name not in TEXT_STATS:
            raise CmsError(302)
        return TEXT_STATS[name]
    value = inv.int_arg(0, 0)
    if value not in (0, 1, 2, 3, 4):
        raise CmsError(302)
    return None if value == 4 else Stat(value)


@command("+CMGL")
def list_messages(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return [f"+CMGL: {TEXT_STAT_LIST if modem.settings.cmgf else '(0-4)'}"]
    require_sms_ready(modem)
    stat = _wanted_stat(modem, inv)
    memory = _memory(modem, 0)
    lines: list[str] = []
    for index, stored in memory.listing(stat):
        lines += _entry(modem, f"+CMGL: {index},", stored)
        memory.mark_read(index)
    return lines


def _index(inv: Invocation, memory: Storage) -> int:
    index = inv.int_arg(0)
    if index is None or not memory.valid_index(index):
        raise CmsError(321)
    return index


@command("+CMGR")
def read_message(modem: EmulatedModem, inv: Invocation) -> list[str]:
    if inv.form == "test":
        return []
    require_sms_ready(modem)
    memory = _memory(modem, 0)
    index = _index(inv, memory)
    stored = memory.get(index)
    if stored is None:
        if modem.profile.empty_read == "ok":
            return []
        raise CmsError(321)
    lines = _entry(modem, "+CMGR: ", stored)
    memory.mark_read(index)
    return lines


@command("+CMGD")
def delete_message(modem: EmulatedModem, inv: Invocation) -> list[str]:
    memory = _memory(modem, 0)
    if inv.form == "test":
        used = ",".join(str(i) for i, _ in memory.listing(None))
        return [f"+CMGD: ({used}),(0-4)"]
    require_sms_ready(modem)
    flag = inv.int_arg(1, 0)
    if flag not in (0, 1, 2, 3, 4):
        raise CmsError(302)
    if flag == 0:
        memory.delete(_index(inv, memory))
    else:
        memory.delete_flagged(flag)
    modem.network.memory_freed(modem)
    return []


@command("+CMGW")
def write_message(modem: EmulatedModem, inv: Invocation) -> Prompt:
    require_sms_ready(modem)
    if modem.settings.cmgf == 1:
        destination = textmode.from_te(modem, inv.arg(0) or "")
        stat = TEXT_STATS.get((inv.arg(2) or "STO UNSENT").upper()) or Stat.STO_UNSENT
        return Prompt("+CMGW", None, destination=destination, stat=stat)
    length = inv.int_arg(0)
    stat = inv.int_arg(1, Stat.STO_UNSENT)
    if length is None or stat not in (2, 3):
        raise CmsError(304)
    return Prompt("+CMGW", length, stat=stat)


def store_written(modem: EmulatedModem, stat: int, pdu: str, length: int) -> Reply:
    index = _memory(modem, 1).put(Stored(Stat(stat), pdu, length))
    if index is None:
        raise CmsError(322)
    return Reply([f"+CMGW: {index}"])
