"""How and when bytes leave the emulated modem: URC placement, the TA buffer, the wire.

A mixin of EmulatedModem (it shares the modem's lock and state); split out so each
file says one thing.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from modemd.emulator import urcs

if TYPE_CHECKING:
    from modemd.emulator.modem import EmulatedModem

    _Base = EmulatedModem
else:
    _Base = object


class UrcOutput(_Base):
    def urc(self, text: str, pdu: str | None = None, *, sms: bool = False) -> None:
        """An unsolicited result code (pdu: its second line, as +CMT/+CDS have)."""
        with self.lock:
            if not self.powered or self.faults.hang:
                return
            if sms and self.settings.cnmi[0] == 0:
                self._ta_buffer.append(urcs.frame(self, text, pdu))
                return
            self._place(text, pdu)

    def _place(self, text: str, pdu: str | None) -> None:
        mode = self.timing.urc_mode
        quiet = not (self._busy or self._executing)
        if pdu is not None and self.timing.split_pdu and mode == "immediate" and quiet:
            self._emit(urcs.frame(self, text))
            self._busy = True  # nothing else may come between the header and its PDU
            self.later(self.timing.split_gap, lambda: self._respond_late(urcs.line(self, pdu)))
            return
        self._held.append(urcs.frame(self, text, pdu))
        if mode == "immediate" and quiet:
            self._flush_held()
        elif len(self._held) == 1:
            wait = self.timing.coalesce_window if mode == "coalesce" else self.timing.hold_max
            self.later(wait, self._flush_held_locked)

    def flush_ta_buffer(self, discard: bool) -> None:
        """+CNMI left mode 0: send (bfr=0) or drop (bfr=1) what the TA buffered."""
        buffered, self._ta_buffer = self._ta_buffer, []
        if not discard:
            self._held += buffered  # after the OK of the +CNMI that released them

    def _take_held(self, mode: str) -> bytes:
        if self.timing.urc_mode != mode or not self._held:
            return b""
        held, self._held = b"".join(self._held), []
        return held

    def _flush_held(self) -> None:
        if self._held and not self._busy and not self._executing:
            held, self._held = b"".join(self._held), []
            self._emit(held)

    def _flush_held_locked(self) -> None:
        with self.lock:
            self._flush_held()

    def emit_raw(self, data: bytes) -> None:
        """Bytes straight onto the wire (control: raw injection)."""
        with self.lock:
            if self.powered:
                self._emit(data)

    def _emit(self, data: bytes) -> None:
        if self._host is None or not data:
            return
        self.record("tx", data)
        self._host.write(data)

    def record(self, direction: str, data: bytes) -> None:
        self.transcript.append((time.time(), direction, bytes(data)))
