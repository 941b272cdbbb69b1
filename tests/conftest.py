"""Fixtures every test folder may use. A folder's own conftest may override them (the
AT and transport tests run their `rig` over ptys too)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

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


@pytest.fixture
def local_zone() -> Iterator[Callable[[str], None]]:
    """local_zone("Europe/Berlin"): the computer's time zone (TZ) for this test only."""
    before = os.environ.get("TZ")

    def use(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    yield use
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()
