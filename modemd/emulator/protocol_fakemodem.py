"""pyserial URL handler: serial.serial_for_url("fakemodem://line1?profile=quectel").

Register once with modemd.emulator.inprocess.register_url_handler(). The modem
runs in this process, on the rig that inprocess holds.
"""

from __future__ import annotations

import time

from serial import PortNotOpenError, SerialBase, SerialException

from modemd.emulator import inprocess
from modemd.emulator.ports import MemoryPort


class Serial(SerialBase):
    """A pyserial port whose far end is an emulated modem."""

    _port_handle: MemoryPort | None = None
    _generation = 0
    _cancelled = False

    def open(self) -> None:
        if self.is_open:
            raise SerialException("Port is already open.")
        if self._port is None:
            raise SerialException("Port must be configured before it can be used.")
        port = inprocess.port_for_url(self._port)
        if not port.plugged:
            raise SerialException(f"could not open port {self._port}: device is unplugged")
        self._port_handle, self._generation = port, port.generation
        self.is_open = True

    def close(self) -> None:
        self.is_open = False
        self._port_handle = None

    def _live(self) -> MemoryPort:
        if not self.is_open or self._port_handle is None:
            raise PortNotOpenError()
        if not self._port_handle.alive(self._generation):
            raise SerialException("device reports readiness to read but returned no data "
                                  "(device disconnected)")
        return self._port_handle

    @property
    def in_waiting(self) -> int:
        return self._live().waiting()

    def read(self, size: int = 1) -> bytes:
        port = self._live()
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        data = bytearray()
        self._cancelled = False
        while len(data) < size and not self._cancelled:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            chunk = port.take(size - len(data), remaining, self._generation,
                              lambda: self._cancelled)
            if chunk is None:
                raise SerialException("device disconnected")
            data += chunk
            if not chunk and remaining is not None and remaining <= 0:
                break
        return bytes(data)

    def cancel_read(self) -> None:
        """Like pyserial's POSIX port: a blocked read() returns what it has."""
        self._cancelled = True
        if self._port_handle is not None:
            self._port_handle.interrupt()

    def write(self, data: bytes) -> int:
        port = self._live()
        payload = bytes(data)
        port.modem.feed(payload)
        return len(payload)

    def reset_input_buffer(self) -> None:
        port = self._live()
        port.take(port.waiting(), 0, self._generation)

    def reset_output_buffer(self) -> None:
        self._live()

    @property
    def out_waiting(self) -> int:
        return 0

    def _reconfigure_port(self) -> None:
        """Baud rate and framing do not matter to an in-memory modem."""

    def _update_rts_state(self) -> None:
        """No modem-control lines in memory."""

    def _update_dtr_state(self) -> None:
        """No modem-control lines in memory."""

    def _update_break_state(self) -> None:
        """No break condition in memory."""

    @property
    def cts(self) -> bool:
        return bool(self._live())

    @property
    def dsr(self) -> bool:
        return bool(self._live())

    @property
    def ri(self) -> bool:
        return False

    @property
    def cd(self) -> bool:
        return False
