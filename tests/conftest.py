"""Fixtures every test folder may use. A folder's own conftest may override them (the
AT and transport tests run their `rig` over ptys too)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from modemd.emulator import inprocess
from modemd.emulator.rig import Rig


@pytest.fixture
def rig() -> Iterator[Rig]:
    """An emulator rig in this process: its lines are fakemodem://NAME pyserial URLs."""
    inprocess.register_url_handler()
    rig = Rig()
    inprocess.install(rig)
    yield rig
    rig.close()
