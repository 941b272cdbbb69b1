"""The scan behind `discover`: globs to ports, one per device, only character devices."""

from __future__ import annotations

import os
import threading

from modemd.services.discovery import UdevHint, scan


def test_a_scan_finds_each_device_once_and_skips_what_is_not_a_tty(tmp_path):
    ports = tmp_path / "by-path"
    ports.mkdir()
    master, slave = os.openpty()
    try:
        tty = os.ttyname(slave)
        (ports / "usb-1").symlink_to(tty)
        (ports / "usb-2").symlink_to(tty)  # a second link to the same device
        (ports / "usb-3").symlink_to("/dev/null")
        (ports / "dangling").symlink_to(tmp_path / "gone")
        (ports / "plain-file").write_text("not a device")
        found = scan([f"{ports}/*"])
        assert found == {str(ports / "usb-1"): tty, str(ports / "usb-3"): "/dev/null"}
        # a device listed by hand as a [[modem]] port is not discovered again
        assert scan([f"{ports}/*"], taken=[tty]) == {str(ports / "usb-3"): "/dev/null"}
        assert scan([f"{tmp_path}/nothing-*"]) == {}
    finally:
        os.close(master)
        os.close(slave)


def test_udev_hints_never_break_start_up():
    """With or without libudev and netlink, making one and closing it is safe; the scan
    is what finds ports either way."""
    hint = UdevHint(threading.Event())
    assert isinstance(hint.active, bool)
    hint.close()
