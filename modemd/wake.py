"""Nudges between processes that share a database: Unix datagrams beside it.

`modemd send` nudges the daemon: new work is in the database. If no daemon listens,
the nudge is lost and nothing else is: the message is already committed and the
daemon's start-up and periodic checks find it.

Whoever commits an event (the daemon, mostly) nudges every follower (`modemd watch`):
each binds its own socket, DB.watch-PID-N, and reads the new events from the
database when nudged. A follower that died leaves a socket nobody reads: the first
nudge that is refused removes it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket

# socket, hashlib and tempfile are imported where used: `modemd inbox` and the other
# listings import this module (through the store) but never nudge anyone
MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux


def beside(database: Path, suffix: str) -> Path:
    """A socket's path for database: DB+suffix beside it, else (too long for a socket
    address) in the temporary folder under the database's digest."""
    resolved = database.resolve()
    candidate = resolved.with_name(resolved.name + suffix)
    if len(str(candidate)) < MAX_SOCKET_PATH:
        return candidate
    return _temporary_folder() / f"modemd-{_digest(database)}{suffix}"


def _digest(database: Path) -> str:
    import hashlib  # noqa: PLC0415  (see above)

    return hashlib.sha1(str(database.resolve()).encode()).hexdigest()[:16]


def _temporary_folder() -> Path:
    import tempfile  # noqa: PLC0415  (see above)

    return Path(tempfile.gettempdir())


def _datagram_socket() -> socket.socket:
    import socket  # noqa: PLC0415  (see above)

    return socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)


def socket_path(database: Path) -> Path:
    return beside(database, ".wake")


def poke(database: Path) -> bool:
    """True if a daemon heard it."""
    with _datagram_socket() as sock:
        try:
            sock.sendto(b"wake", str(socket_path(database)))
        except OSError:
            return False
    return True


def _watch_folders(database: Path) -> list[Path]:
    """Where followers bind: beside the wake socket, else (a folder they cannot write)
    in the temporary folder under the database's digest."""
    wake = socket_path(database)
    return [wake.with_name(wake.name.removesuffix(".wake") + ".watch-"),
            _temporary_folder() / f"modemd-{_digest(database)}.watch-"]


def notify_watchers(database: Path) -> int:
    """Nudge every follower of the database; how many heard it."""
    heard = 0
    with _datagram_socket() as sock:
        sock.setblocking(False)
        found = {path for prefix in _watch_folders(database)
                 for path in prefix.parent.glob(prefix.name + "*")}
        for path in sorted(found):
            heard += _nudge(sock, path)
    return heard


def _nudge(sock: socket.socket, path: Path) -> int:
    try:
        sock.sendto(b"event", str(path))
    except ConnectionRefusedError:  # its follower is gone
        with contextlib.suppress(OSError):
            os.unlink(path)
        return 0
    except OSError:  # its buffer is full (it is behind and will read anyway), or gone
        return 0
    return 1


class WatchListener:
    """A follower's end: wait() returns when an event was committed (or on timeout)."""

    def __init__(self, database: Path) -> None:
        self.sock = _datagram_socket()
        self.path = self._bind(database)

    def _bind(self, database: Path) -> Path:
        error: OSError | None = None
        for prefix in _watch_folders(database):
            path = prefix.with_name(f"{prefix.name}{os.getpid()}-{id(self):x}")
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            try:
                self.sock.bind(str(path))
                with contextlib.suppress(OSError):  # the writer may be another user of
                    os.chmod(path, 0o660)  # the database's group (the daemon's)
                return path
            except OSError as failed:
                error = failed
        self.sock.close()
        raise OSError(f"cannot listen for events beside {database} or in "
                      f"{_temporary_folder()}: {error}")

    def wait(self, timeout: float) -> bool:
        """True when nudged; every nudge already waiting is taken at once."""
        self.sock.settimeout(timeout)
        try:
            self.sock.recv(64)
        except OSError:
            return False
        self.sock.setblocking(False)
        with contextlib.suppress(OSError):
            while self.sock.recv(64):
                pass
        return True

    def close(self) -> None:
        self.sock.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


class WakeListener:
    """The daemon's end: recv() returns when poked (or on timeout)."""

    def __init__(self, database: Path) -> None:
        self.path = socket_path(database)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        self.sock = _datagram_socket()
        self.sock.bind(str(self.path))

    def wait(self, timeout: float) -> bool:
        self.sock.settimeout(timeout)
        try:
            self.sock.recv(64)
        except OSError:  # TimeoutError included
            return False
        return True

    def close(self) -> None:
        self.sock.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
