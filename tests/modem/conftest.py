"""Modems on an in-process rig, driven through the real transport and AT channel."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator

import pytest

from modemd.at import AtChannel
from modemd.emulator.rig import Rig
from modemd.emulator.spec import LineSpec
from modemd.modem import Event, Modem, interpret
from modemd.transport import SerialTransport


def wait_registered(rig: Rig, name: str, timeout: float = 5.0) -> None:
    """Real modems take a while to register after power-on; so does the emulator."""
    deadline = time.monotonic() + timeout
    while rig.describe(name)["registration"] != 1:
        assert time.monotonic() < deadline, f"{name} never registered"
        time.sleep(0.01)


class Line:
    """One emulated line seen through our driver, with its URC events queued."""

    def __init__(self, rig: Rig, spec: LineSpec) -> None:
        rig.add_line(spec)
        self.spec = spec
        self.events: queue.Queue[Event] = queue.Queue()
        self.channel = AtChannel(SerialTransport(f"fakemodem://{spec.name}"), name=spec.name,
                                 on_urc=lambda urc: self.events.put(interpret(urc)))
        self.channel.open()
        self.modem = Modem(self.channel)
        if not spec.pin_enabled:  # a locked SIM registers only after its PIN
            wait_registered(rig, spec.name)

    def next_event(self, timeout: float = 5.0) -> Event:
        return self.events.get(timeout=timeout)


@pytest.fixture
def make_line(rig: Rig) -> Iterator:
    made: list[Line] = []

    def make(index: int, **overrides: object) -> Line:
        line = Line(rig, LineSpec.numbered(index, **overrides))
        made.append(line)
        return line

    yield make
    for line in made:
        line.channel.close()
