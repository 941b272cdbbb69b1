"""Fixtures for the emulator's byte-level tests: an in-memory rig and a pty rig.

Each fixture closes every port it opened and then the rig itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from modemd.emulator import inprocess
from modemd.emulator.rig import NetworkOptions, Rig

from .dte import Bench


@pytest.fixture
def rig_options() -> NetworkOptions | None:
    """Network options of the bench's rig; parametrize a test with rig_options to change."""
    return None


@pytest.fixture
def bench(rig_options: NetworkOptions | None) -> Iterator[Bench]:
    """In-memory rig served as fakemodem:// URLs through pyserial."""
    rig = Rig(options=rig_options)
    inprocess.install(rig)
    inprocess.register_url_handler()
    bench = Bench(rig, None)
    yield bench
    bench.close()


@pytest.fixture
def pty_bench(tmp_path: Path, rig_options: NetworkOptions | None) -> Iterator[Bench]:
    """A rig whose lines are real ptys with stable links in tmp_path."""
    bench = Bench(Rig(directory=tmp_path, options=rig_options), tmp_path)
    yield bench
    bench.close()
