"""SerialTransport: open by path or URL, bytes both ways, no forced flow control, reopen."""

from __future__ import annotations

import os
import termios
import time
from pathlib import Path

import pytest
import serial

from modemd.emulator.rig import Rig
from modemd.transport import PortLost, PortUnavailable, SerialTransport, TransportError

from .conftest import LINE, read_until


def test_bytes_both_ways_by_path_or_url(rig: Rig, transports) -> None:
    transport = transports(rig.port_path(LINE))
    assert transport.is_open
    transport.write(b"ATE0\r")
    read_until(transport, b"OK\r\n")
    transport.write(b"AT+CGSN\r")
    assert rig.describe(LINE)["imei"].encode() in read_until(transport, b"OK\r\n")


def test_read_returns_nothing_when_the_modem_is_silent(rig: Rig, transports) -> None:
    transport = transports(rig.port_path(LINE), read_timeout=0.05)
    start = time.monotonic()
    assert transport.read() == b""
    assert time.monotonic() - start < 1


def test_flow_control_is_off_by_default_and_passed_through(monkeypatch, rig: Rig) -> None:
    seen: list[dict] = []
    real = serial.serial_for_url

    def spy(url: str, *args: object, **options: object) -> serial.SerialBase:
        seen.append(options)
        return real(url, *args, **options)

    monkeypatch.setattr(serial, "serial_for_url", spy)
    for rtscts in (None, True):
        options = {} if rtscts is None else {"rtscts": rtscts}
        transport = SerialTransport(rig.port_path(LINE), **options)
        transport.open()
        transport.close()
    assert [o["rtscts"] for o in seen] == [False, True]


def test_pty_termios_has_no_crtscts_unless_asked(pty_rig: Rig, transports) -> None:
    path = pty_rig.port_path(LINE)

    def crtscts() -> bool:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            return bool(termios.tcgetattr(fd)[2] & termios.CRTSCTS)
        finally:
            os.close(fd)

    transports(path).close()
    assert not crtscts()
    transports(path, rtscts=True)
    assert crtscts()


def test_missing_port_is_unavailable_with_advice(tmp_path: Path) -> None:
    transport = SerialTransport(str(tmp_path / "ttyUSB-nothing"))
    with pytest.raises(PortUnavailable) as raised:
        transport.open()
    assert isinstance(raised.value, TransportError)
    assert "ModemManager" in str(raised.value) and not transport.is_open


def test_a_port_is_opened_exclusively(pty_rig: Rig, transports) -> None:
    transports(pty_rig.port_path(LINE))
    with pytest.raises(PortUnavailable):
        SerialTransport(pty_rig.port_path(LINE)).open()


def test_unplug_makes_read_and_write_raise_port_lost(rig: Rig, transports) -> None:
    transport = transports(rig.port_path(LINE))
    rig.unplug(LINE)
    with pytest.raises(PortLost) as raised:
        for _ in range(20):  # a pty may still hand out what was buffered
            transport.read()
    assert isinstance(raised.value, ConnectionError)
    with pytest.raises(PortLost):
        for _ in range(20):
            transport.write(b"AT\r")


def test_reopen_false_while_gone_true_once_back(rig: Rig, transports) -> None:
    transport = transports(rig.port_path(LINE))
    rig.unplug(LINE)
    start = time.monotonic()
    assert transport.reopen(0.3, poll=0.05) is False
    assert time.monotonic() - start < 1.5
    rig.unplug(LINE)  # idempotent; the port stays gone
    rig.replug(LINE, rename=True)
    assert transport.reopen(2) is True
    transport.write(b"AT\r")
    read_until(transport, b"OK\r\n")


def test_close_is_idempotent_and_io_after_close_is_port_lost(rig: Rig) -> None:
    transport = SerialTransport(rig.port_path(LINE))
    transport.open()
    transport.open()  # already open: nothing happens
    transport.close()
    transport.close()
    assert not transport.is_open
    with pytest.raises(PortLost):
        transport.read()
    with pytest.raises(PortLost):
        transport.write(b"AT\r")
