"""Migrations are registered and checked without sqlite-utils, and applied by it."""

from __future__ import annotations

import sqlite3

import pytest

from modemd.store.db import utils_database
from modemd.store.migrating import Migrations


def test_pending_and_applied_are_read_with_plain_sqlite3() -> None:
    migrations = Migrations("test")

    @migrations(name="0001_one")
    def one(db) -> None:
        db.execute("CREATE TABLE one (id INTEGER PRIMARY KEY)")

    conn = sqlite3.connect(":memory:", isolation_level=None)
    assert migrations.applied_names(conn) == []
    assert migrations.pending_names(conn) == ["0001_one"]
    migrations.apply(utils_database(conn))
    assert migrations.applied_names(conn) == ["0001_one"]

    @migrations(name="0002_two", transactional=False)  # registered after the first apply
    def two(db) -> None:
        db.execute("CREATE TABLE two (id INTEGER PRIMARY KEY)")

    assert migrations.pending_names(conn) == ["0002_two"]
    migrations.apply(utils_database(conn))
    assert migrations.applied_names(conn) == ["0001_one", "0002_two"]
    assert {"one", "two"} <= {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_another_set_s_records_are_not_ours() -> None:
    ours, theirs = Migrations("ours"), Migrations("theirs")
    ours(name="0001")(lambda db: None)
    theirs(name="0001")(lambda db: None)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    theirs.apply(utils_database(conn))
    assert ours.pending_names(conn) == ["0001"]


def test_a_name_registered_twice_is_refused() -> None:
    migrations = Migrations("test")
    migrations(name="0001")(lambda db: None)
    with pytest.raises(ValueError, match="registered twice"):
        migrations(name="0001")(lambda db: None)
