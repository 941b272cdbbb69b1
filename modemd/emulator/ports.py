"""Where an emulated modem is plugged in: a real pty with a stable link, or memory.

Unplugging closes the pty master, so a client's next read fails as it does
when a USB modem vanishes; replugging makes a new pty (often another
/dev/pts/N) and repoints the stable link, as udev's by-path links behave.
"""

from __future__ import annotations

import errno
import os
import select
import threading
import tty
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from modemd.emulator.modem import EmulatedModem

MAX_PENDING = 1 << 20  # output a client does not read: beyond this it is lost, like a UART


class PtyPort:
    """A modem on a pseudo-terminal, reachable through a symlink that never changes."""

    def __init__(self, modem: EmulatedModem, link: Path, *, kernel_names: bool = False) -> None:
        """kernel_names: no stable link; the link is named after the pty (ttyEMU<N>), as
        the kernel names /dev/ttyUSB<N>, so a replug with a new pty renames it."""
        self.modem = modem
        self.link = link
        self._kernel_names = kernel_names
        self.tty_name: str | None = None
        self._master = self._slave = -1
        self._pending = bytearray()
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._in_place = False  # its link points at its open pty: a program may open it

    @property
    def plugged(self) -> bool:
        """Said only once the link is in place, so that whoever sees a replug in
        `lines` can open the port at once."""
        return self._in_place

    def plug(self, rename: bool = False) -> None:
        if self._master >= 0:
            return
        previous = self.tty_name
        self._open_pty(avoid=previous if rename else None)
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._pump, name=f"pty-{self.modem.name}", daemon=True
        )
        self._thread.start()
        self._point_link()
        self._in_place = True
        self.modem.power_on(self)

    def replug(self, rename: bool = False) -> None:
        self.plug(rename=rename)

    def unplug(self) -> None:
        if self._master < 0:
            return
        self._in_place = False
        self.modem.power_off()
        self._stop.set()
        os.write(self._wake_w, b"x")
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        with self._lock:
            os.close(self._master)
            os.close(self._slave)
            self._master = self._slave = -1
            self._pending.clear()
        self.link.unlink(missing_ok=True)

    def close(self) -> None:
        self.unplug()
        if self._wake_r >= 0:
            os.close(self._wake_r)
            os.close(self._wake_w)
            self._wake_r = self._wake_w = -1

    def _open_pty(self, avoid: str | None) -> None:
        spare: list[int] = []
        master, slave = os.openpty()
        while avoid is not None and os.ttyname(slave) == avoid and len(spare) < 8:
            spare += [master, slave]  # keep the old name taken until we have a new one
            master, slave = os.openpty()
        for fd in spare:
            os.close(fd)
        tty.setraw(slave)  # no line discipline: bytes pass as a UART passes them
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self.tty_name = os.ttyname(slave)

    def _point_link(self) -> None:
        if self._kernel_names:
            self.link = self.link.with_name("ttyEMU" + (self.tty_name or "").rsplit("/", 1)[-1])
        self.link.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.link.with_name(f".{self.link.name}.new")
        temporary.unlink(missing_ok=True)
        os.symlink(self.tty_name or "", temporary)
        os.replace(temporary, self.link)

    def write(self, data: bytes) -> None:
        """Modem output: never blocks; what the kernel will not take yet waits here."""
        with self._lock:
            if self._master < 0:
                return
            self._pending += data
            if len(self._pending) > MAX_PENDING:
                del self._pending[: len(self._pending) - MAX_PENDING]
            self._flush()
        if self._pending:
            os.write(self._wake_w, b"w")

    def _flush(self) -> None:
        try:
            written = os.write(self._master, self._pending)
        except BlockingIOError:
            return
        except OSError as error:
            if error.errno != errno.EIO:
                raise
            return
        del self._pending[:written]

    def _pump(self) -> None:
        poller = select.poll()
        poller.register(self._wake_r, select.POLLIN)
        master = self._master
        poller.register(master, select.POLLIN)
        while not self._stop.is_set():
            poller.modify(master, select.POLLIN | (select.POLLOUT if self._pending else 0))
            for fd, events in poller.poll(1000):
                if fd == self._wake_r:
                    os.read(self._wake_r, 4096)
                elif events & select.POLLOUT:
                    with self._lock:
                        if not self._stop.is_set():
                            self._flush()
                if fd == master and events & select.POLLIN and not self._stop.is_set():
                    self._read(master)

    def _read(self, master: int) -> None:
        try:
            data = os.read(master, 4096)
        except (BlockingIOError, OSError):
            return
        if data:
            self.modem.feed(data)


class MemoryPort:
    """A modem in this process, for the fakemodem:// pyserial URL handler."""

    def __init__(self, modem: EmulatedModem) -> None:
        self.modem = modem
        self.generation = 0  # bumps on every plug: an old handle must not read a new life
        self.plugged = False
        self._buffer = bytearray()
        self._cond = threading.Condition()

    def plug(self, rename: bool = False) -> None:
        with self._cond:
            if self.plugged:
                return
            self.plugged = True
            self.generation += 1
            self._buffer.clear()
            self._cond.notify_all()
        self.modem.power_on(self)

    def replug(self, rename: bool = False) -> None:
        self.plug(rename)

    def unplug(self) -> None:
        self.modem.power_off()
        with self._cond:
            self.plugged = False
            self._cond.notify_all()

    def close(self) -> None:
        self.unplug()

    def write(self, data: bytes) -> None:
        with self._cond:
            self._buffer += data
            if len(self._buffer) > MAX_PENDING:
                del self._buffer[: len(self._buffer) - MAX_PENDING]
            self._cond.notify_all()

    def alive(self, generation: int) -> bool:
        return self.plugged and self.generation == generation

    def take(self, size: int, timeout: float | None, generation: int,
             cancelled: Callable[[], bool] = lambda: False) -> bytes | None:
        """Up to size bytes; b"" on timeout or cancel; None once this life of the port is
        over."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._buffer or not self.alive(generation) or cancelled(),
                timeout=timeout,
            )
            if not self.alive(generation):
                return None
            data = bytes(self._buffer[:size])
            del self._buffer[:size]
            return data

    def interrupt(self) -> None:
        """Wake every blocked take() so it can look at its cancel flag."""
        with self._cond:
            self._cond.notify_all()

    def waiting(self) -> int:
        with self._cond:
            return len(self._buffer)
