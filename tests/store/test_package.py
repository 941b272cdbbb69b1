"""The store package names its parts lazily (a command imports only the modules it
uses): every name it exports, and every repository of a Store, is really there."""

from __future__ import annotations

from pathlib import Path

import pytest

import modemd.store
from modemd.store import Store


@pytest.mark.parametrize("name", modemd.store.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(modemd.store, name) is not None


def test_an_unknown_name_is_an_import_error_not_a_silent_none() -> None:
    with pytest.raises(ImportError, match="Lnies"):
        exec("from modemd.store import Lnies", {})


def test_each_repository_is_made_once_and_shares_the_database(tmp_path: Path) -> None:
    store = Store(tmp_path / "modemd.db")
    try:
        for name in ("lines", "outbox", "inbox", "reports", "views", "runs", "stats",
                     "optouts", "contacts", "events", "claims", "conversations",
                     "schedule", "deliveries", "tokens"):
            repository = getattr(store, name)
            assert repository is getattr(store, name)
            assert repository.database is store.database
        with pytest.raises(AttributeError, match="outbx"):
            store.outbx  # noqa: B018
    finally:
        store.close()
