"""A real database file per test, and a controllable clock for time windows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from modemd.store import Store

_CLOCKED = ("lines", "outbound", "inbound", "reports", "transitions")


class Clock:
    """utc_now() for the store: starts at a fixed moment, ticks 1 ms per reading (so
    timestamps stay distinct and ordered) and jumps when told."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "m.db"


@pytest.fixture
def open_store(db_path: Path) -> Iterator[Callable[[], Store]]:
    """Open (another) Store on the test's file, as a restarted process would."""
    opened: list[Store] = []

    def _open() -> Store:
        opened.append(Store(db_path))
        return opened[-1]

    yield _open
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Callable[[], Store]) -> Store:
    return open_store()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    for module in _CLOCKED:
        monkeypatch.setattr(f"modemd.store.{module}.utc_now", clock)
    return clock
