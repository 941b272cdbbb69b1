"""The API's unit tests: a real Store on a temporary file, and the app over it as the
test's own user sees it on the Unix socket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from modemd.store import Store

from .support import Client, lab


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "m.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    opened = Store(db)
    yield opened
    opened.close()


@pytest.fixture
def api(store: Store, db: Path) -> Client:
    return Client(store, lab(db))
