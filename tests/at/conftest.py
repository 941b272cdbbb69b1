"""Emulated modems for AT-channel tests, on the fakemodem:// URL handler and on real ptys."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from modemd.at import AtChannel
from modemd.emulator import inprocess
from modemd.emulator.rig import Rig
from modemd.emulator.spec import LineSpec
from modemd.transport import SerialTransport

from .helpers import UrcLog, wait_for

LINE = "line1"


def _rig(kind: str, directory: Path) -> Rig:
    if kind == "pty":
        return Rig(directory=directory)
    rig = Rig()
    inprocess.install(rig)
    inprocess.register_url_handler()
    return rig


@pytest.fixture(params=["memory", "pty"])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    """A rig with one registered generic line, in memory (fakemodem://) or on a pty."""
    rig = _rig(request.param, tmp_path)
    rig.add_line(LineSpec.numbered(1))
    wait_for(lambda: rig.describe(LINE)["registration"] == 1, what="registration")
    yield rig
    rig.close()


@pytest.fixture
def memory_rig(tmp_path: Path) -> Iterator[Rig]:
    """Like rig, in memory only: for tests whose point is not the port."""
    rig = _rig("memory", tmp_path)
    rig.add_line(LineSpec.numbered(1))
    wait_for(lambda: rig.describe(LINE)["registration"] == 1, what="registration")
    yield rig
    rig.close()


@pytest.fixture
def pty_rig(tmp_path: Path) -> Iterator[Rig]:
    rig = _rig("pty", tmp_path)
    rig.add_line(LineSpec.numbered(1))
    yield rig
    rig.close()


@pytest.fixture
def urcs() -> UrcLog:
    return UrcLog()


@pytest.fixture
def connect(urcs: UrcLog) -> Iterator[Callable[..., AtChannel]]:
    """connect(rig) -> an open AtChannel on LINE whose URCs go to the urcs log."""
    opened: list[AtChannel] = []

    def connect(rig: Rig, line: str = LINE, **options: object) -> AtChannel:
        options.setdefault("on_urc", urcs)
        channel = AtChannel(SerialTransport(rig.port_path(line)), name=line,
                            **options)  # type: ignore[arg-type]
        channel.open()
        opened.append(channel)
        return channel

    yield connect
    for channel in opened:
        channel.close()
