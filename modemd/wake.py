"""A nudge from `modemd send` to a running daemon: new work is in the database.

A Unix datagram beside the database file. If no daemon listens, the nudge is lost
and nothing else is: the message is already committed and the daemon's start-up
and periodic checks find it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import tempfile
from pathlib import Path

_MAX_PATH = 100  # sun_path is 108 bytes on Linux


def socket_path(database: Path) -> Path:
    candidate = database.resolve().with_name(database.name + ".wake")
    if len(str(candidate)) < _MAX_PATH:
        return candidate
    digest = hashlib.sha1(str(database.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"modemd-{digest}.wake"


def poke(database: Path) -> bool:
    """True if a daemon heard it."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(b"wake", str(socket_path(database)))
        except OSError:
            return False
    return True


class WakeListener:
    """The daemon's end: recv() returns when poked (or on timeout)."""

    def __init__(self, database: Path) -> None:
        self.path = socket_path(database)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
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
