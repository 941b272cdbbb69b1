"""Helpers for AT-layer tests: a URC log that remembers threads, waiting with deadlines."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

import pytest

from modemd.at import Urc
from modemd.sms import OutboundPdu, encode_submit

OUTSIDE = "+15557654321"  # a number not on the emulated network


def wait_for(condition: Callable[[], object], timeout: float = 3.0, what: str = "") -> object:
    """Poll condition until it is truthy; fail the test at the deadline."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(0.01)
    return value


class UrcLog:
    """An on_urc handler that records each URC and the thread it ran on."""

    def __init__(self) -> None:
        self.urcs: list[Urc] = []
        self.threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def __call__(self, urc: Urc) -> None:
        with self._lock:
            self.urcs.append(urc)
            self.threads.append(threading.current_thread())

    def named(self, name: str) -> list[Urc]:
        with self._lock:
            return [u for u in self.urcs if u.name == name]

    def wait(self, name: str, count: int = 1, timeout: float = 3.0) -> list[Urc]:
        wait_for(lambda: len(self.named(name)) >= count, timeout, f"{count} x {name}")
        return self.named(name)


def part(text: str = "hello", to: str = OUTSIDE) -> OutboundPdu:
    (only,) = encode_submit(to, text)
    return only


def cmgs(pdu: OutboundPdu) -> str:
    return f"AT+CMGS={pdu.tpdu_length}"


class ScriptedModem:
    """A transport whose far end answers each write from a table: for modems the
    emulator does not play (e.g. one that refuses S-register reads)."""

    def __init__(self, answers: dict[bytes, bytes]) -> None:
        self.answers = answers
        self.written: list[bytes] = []
        self.is_open = False
        self._out: queue.Queue[bytes] = queue.Queue()

    def open(self) -> None:
        self.is_open = True

    def close(self) -> None:
        self.is_open = False

    def write(self, data: bytes) -> None:
        self.written.append(data)
        if data in self.answers:
            self._out.put(self.answers[data])

    def read(self) -> bytes:
        try:
            return self._out.get(timeout=0.05)
        except queue.Empty:
            return b""
