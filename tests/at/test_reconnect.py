"""The port vanishes mid-command, comes back (maybe as another tty), and commands work."""

from __future__ import annotations

import threading
import time

import pytest

from modemd.at import ChannelClosed
from modemd.emulator.rig import Rig
from modemd.transport import PortLost

from .conftest import LINE
from .helpers import wait_for
from .test_failure_modes import synced


def test_unplug_mid_command_fails_fast_and_reopen_recovers(rig: Rig, connect) -> None:
    lost: list[PortLost] = []
    channel = synced(connect(rig, on_lost=lost.append))
    rig.fault(LINE, "hang")  # the command will get no answer...
    threading.Timer(0.2, rig.unplug, args=(LINE,)).start()  # ...then the modem vanishes
    start = time.monotonic()
    with pytest.raises(PortLost):
        channel.command("AT+CSQ", timeout=10)
    assert time.monotonic() - start < 1.5  # well under the 10 s timeout
    wait_for(lambda: lost, what="on_lost")
    assert isinstance(channel.lost, PortLost)
    with pytest.raises(PortLost):
        channel.command("AT")  # typed and immediate until reopened
    assert channel.reopen(0.2) is False  # still unplugged
    rig.fault(LINE, "clear")
    rig.replug(LINE)
    assert channel.reopen(3) is True
    assert channel.lost is None
    assert channel.command("AT+CSQ", expect="+CSQ")


def test_reopen_waits_for_the_port_to_return(rig: Rig, connect) -> None:
    channel = synced(connect(rig))
    rig.unplug(LINE, seconds=0.4)
    wait_for(lambda: channel.lost, what="loss noticed")
    start = time.monotonic()
    assert channel.reopen(5) is True
    assert 0.2 < time.monotonic() - start < 3
    assert channel.command("AT") == []


def test_reopen_follows_the_link_to_a_renamed_tty(pty_rig: Rig, connect) -> None:
    channel = synced(connect(pty_rig))
    before = pty_rig.describe(LINE)["tty"]
    pty_rig.unplug(LINE)
    wait_for(lambda: channel.lost, what="loss noticed")
    pty_rig.replug(LINE, rename=True)
    assert pty_rig.describe(LINE)["tty"] != before
    assert channel.reopen(3) is True
    assert channel.command("AT+CGSN") == [pty_rig.describe(LINE)["imei"]]


def test_closed_channel_fails_a_waiting_command(memory_rig: Rig, connect) -> None:
    channel = synced(connect(memory_rig))
    memory_rig.fault(LINE, "hang")
    threading.Timer(0.2, channel.close).start()
    start = time.monotonic()
    with pytest.raises(ChannelClosed):
        channel.command("AT", timeout=10)
    assert time.monotonic() - start < 1.5
    with pytest.raises(ChannelClosed):
        channel.command("AT")
