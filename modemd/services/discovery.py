"""Which modem ports exist now: the `discover` globs, scanned, and udev's word on when.

The scan is the one truth: a udev event only makes the next scan come sooner, so
a missed or reordered event costs a scan interval, never a modem. Where udev is
absent (containers, tests) the periodic scan alone finds ports.
"""

from __future__ import annotations

import glob
import logging
import os
import threading
from collections.abc import Iterable

log = logging.getLogger(__name__)


def scan(globs: Iterable[str], taken: Iterable[str] = ()) -> dict[str, str]:
    """{path: device} for every character device a glob matches now, first path per
    device (two links to one tty are one port); devices in `taken` (ports listed by
    hand) are left out."""
    seen = {_device(path) for path in taken}
    found: dict[str, str] = {}
    for pattern in globs:
        for path in sorted(glob.glob(pattern)):
            device = _device(path)
            if device not in seen and _is_char_device(device):
                seen.add(device)
                found[path] = device
    return found


def _device(path: str) -> str:
    return os.path.realpath(path)


def _is_char_device(path: str) -> bool:
    try:
        return os.stat(path).st_mode & 0o170000 == 0o020000
    except OSError:  # gone between the glob and the stat: the next scan sees it
        return False


class UdevHint:
    """Sets `event` when the kernel adds or removes a tty (pyudev). Optional: without
    libudev or netlink (a container, a sandbox) it says so once and stays silent."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event
        self.active = False
        self._monitor = None
        try:
            import pyudev  # noqa: PLC0415  (needs libudev at run time, not to import us)

            monitor = pyudev.Monitor.from_netlink(pyudev.Context())
            monitor.filter_by("tty")
            self._observer = pyudev.MonitorObserver(monitor, callback=self._seen,
                                                    name="udev")
            self._observer.start()
            self._monitor = monitor
            self.active = True
        except Exception as error:  # ImportError, OSError, pyudev's own errors
            log.info("udev events unavailable (%s): scanning every few seconds", error)

    def _seen(self, device: object) -> None:
        log.debug("udev: %s %s", getattr(device, "action", "?"), device)
        self.event.set()

    def close(self) -> None:
        if self.active:
            self._observer.send_stop()
