"""Operations tests: the `modemd` CLI as a real process on real database files. Where
a running daemon is the point, the e2e fixtures start the real `modemd emulator` and
`modemd run` processes (tests/e2e/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from e2e.conftest import hermetic, make_desk  # noqa: F401  (fixtures, shared as they are)

from modemd.store import db

# The store modules that stamp rows with the time.
CLOCKED = ("lines", "outbound", "inbound", "reports", "transitions", "runs", "events")


@pytest.fixture
def back_in_time(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta | None], None]:
    """back_in_time(delta): the store in this process writes as if it were delta ago;
    back_in_time(None): the real clock again. A `modemd` process always has the real one."""

    def travel(delta: timedelta | None) -> None:
        def clock() -> datetime:
            return datetime.now(UTC) - delta if delta else db.utc_now()

        for module in CLOCKED:
            monkeypatch.setattr(f"modemd.store.{module}.utc_now", clock)

    return travel
