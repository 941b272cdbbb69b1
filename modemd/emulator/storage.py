"""Message storages of a SIM/ME (SM, ME, SR) with fixed capacities, as 27.005 sees them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Stat(IntEnum):
    """<stat> of 27.005 in PDU mode; text mode uses the names."""

    REC_UNREAD = 0
    REC_READ = 1
    STO_UNSENT = 2
    STO_SENT = 3

    @property
    def text_name(self) -> str:
        return self.name.replace("_", " ")


TEXT_STATS = {s.text_name: s for s in Stat} | {"ALL": None}


@dataclass
class Stored:
    stat: Stat
    pdu: str  # hex with SMSC prefix
    tpdu_length: int
    is_report: bool = False


# <delflag> of +CMGD: which stats each flag removes (index is ignored for 1-4).
DELETE_FLAGS: dict[int, frozenset[Stat]] = {
    1: frozenset({Stat.REC_READ}),
    2: frozenset({Stat.REC_READ, Stat.STO_SENT}),
    3: frozenset({Stat.REC_READ, Stat.STO_SENT, Stat.STO_UNSENT}),
    4: frozenset(Stat),
}


class Storage:
    """One memory: indexes 1..capacity, lowest free index first, like real modems."""

    def __init__(self, name: str, capacity: int) -> None:
        self.name = name
        self.capacity = capacity
        self._slots: dict[int, Stored] = {}

    @property
    def used(self) -> int:
        return len(self._slots)

    def put(self, message: Stored) -> int | None:
        """Store and return the index, or None when full."""
        for index in range(1, self.capacity + 1):
            if index not in self._slots:
                self._slots[index] = message
                return index
        return None

    def get(self, index: int) -> Stored | None:
        return self._slots.get(index)

    def valid_index(self, index: int) -> bool:
        return 1 <= index <= self.capacity

    def delete(self, index: int) -> None:
        self._slots.pop(index, None)

    def delete_flagged(self, flag: int) -> int:
        stats = DELETE_FLAGS[flag]
        doomed = [i for i, m in self._slots.items() if m.stat in stats]
        for index in doomed:
            del self._slots[index]
        return len(doomed)

    def listing(self, stat: Stat | None) -> list[tuple[int, Stored]]:
        """Messages with `stat` (None = all), by index."""
        return sorted(
            (i, m) for i, m in self._slots.items() if stat is None or m.stat == stat
        )

    def mark_read(self, index: int) -> None:
        message = self._slots.get(index)
        if message is not None and message.stat == Stat.REC_UNREAD:
            message.stat = Stat.REC_READ

    def clear(self) -> None:
        self._slots.clear()
