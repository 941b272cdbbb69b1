"""The wake-up nudge and sd_notify reach a listener; without one nothing breaks."""

from __future__ import annotations

import socket

from modemd.daemon.notify import notify, watchdog_interval
from modemd.wake import WakeListener, poke, socket_path


def test_poke_wakes_a_listener_and_fails_quietly_without_one(tmp_path):
    database = tmp_path / "m.db"
    assert poke(database) is False
    listener = WakeListener(database)
    try:
        assert listener.wait(0.01) is False
        assert poke(database) is True
        assert listener.wait(1.0) is True
    finally:
        listener.close()
    assert not socket_path(database).exists()


def test_long_database_paths_get_a_short_socket(tmp_path):
    deep = tmp_path / ("x" * 120) / "m.db"
    assert len(str(socket_path(deep))) < 100


def test_sd_notify_sends_to_notify_socket(tmp_path, monkeypatch):
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(address)
        monkeypatch.setenv("NOTIFY_SOCKET", address)
        assert notify("READY=1")
        assert server.recv(64) == b"READY=1"
    monkeypatch.delenv("NOTIFY_SOCKET")
    assert notify("READY=1") is False


def test_watchdog_interval_is_half_of_watchdog_sec(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "60000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert watchdog_interval() == 30.0
    monkeypatch.delenv("WATCHDOG_USEC")
    assert watchdog_interval() is None
