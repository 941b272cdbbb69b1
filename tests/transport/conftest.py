"""Emulated modems as ports: the fakemodem:// URL handler and real ptys."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from modemd.emulator import inprocess
from modemd.emulator.rig import Rig
from modemd.emulator.spec import LineSpec
from modemd.transport import SerialTransport

LINE = "line1"


@pytest.fixture(params=["memory", "pty"])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    if request.param == "pty":
        rig = Rig(directory=tmp_path)
    else:
        rig = Rig()
        inprocess.install(rig)
        inprocess.register_url_handler()
    rig.add_line(LineSpec.numbered(1))
    yield rig
    rig.close()


@pytest.fixture
def pty_rig(tmp_path: Path) -> Iterator[Rig]:
    rig = Rig(directory=tmp_path)
    rig.add_line(LineSpec.numbered(1))
    yield rig
    rig.close()


@pytest.fixture
def transports() -> Iterator[Callable[..., SerialTransport]]:
    """transports(url, **options) -> an open SerialTransport, closed after the test."""
    made: list[SerialTransport] = []

    def make(url: str, **options: object) -> SerialTransport:
        transport = SerialTransport(url, **options)  # type: ignore[arg-type]
        transport.open()
        made.append(transport)
        return transport

    yield make
    for transport in made:
        transport.close()


def read_until(transport: SerialTransport, marker: bytes, timeout: float = 3.0) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data:
        if time.monotonic() > deadline:
            pytest.fail(f"no {marker!r} within {timeout}s; read {data!r}")
        data += transport.read()
    return data
