"""API tokens: shown once, stored hashed, found by id or prefix, revoked for good, their
use noted at most once a minute; making and revoking them audited."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from modemd.errors import InvalidInputError
from modemd.store import NotFound, Store
from modemd.store.tokens import PREFIX_LENGTH, check_agent
from tests.store.conftest import Clock


@pytest.fixture
def token_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    for module in ("tokens", "transitions"):
        monkeypatch.setattr(f"modemd.store.{module}.utc_now", clock)
    return clock


def stored_rows(store: Store) -> list[dict]:
    return store.database.query("SELECT * FROM api_tokens ORDER BY id")


def test_a_token_is_shown_once_and_only_its_hash_is_kept(store: Store) -> None:
    secret, made = store.tokens.create("alice", "root")
    assert secret.startswith("mdm_") and len(secret) >= 4 + 43  # 256 random bits
    row, = stored_rows(store)
    assert row["hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(row)  # neither whole nor in a column
    assert made.prefix == secret[:PREFIX_LENGTH] == row["prefix"]
    assert (made.agent, made.created_by, made.revoked_at, made.last_used_at) == (
        "alice", "root", None, None)
    assert "hash" not in made.public() and secret not in repr(made.public())


def test_tokens_differ_and_each_finds_its_own_agent(store: Store) -> None:
    alice, _ = store.tokens.create("alice", "root")
    bob, _ = store.tokens.create("bob", "root")
    assert alice != bob
    found_alice, found_bob = store.tokens.verify(alice), store.tokens.verify(bob)
    assert found_alice is not None and found_alice.agent == "alice"
    assert found_bob is not None and found_bob.agent == "bob"


@pytest.mark.parametrize("wrong", ["", "mdm_", "nonsense", "mdm_" + "A" * 43])
def test_an_unknown_token_is_not_valid(store: Store, wrong: str) -> None:
    store.tokens.create("alice", "root")
    assert store.tokens.verify(wrong) is None


def test_a_revoked_token_is_not_valid_and_revoking_twice_changes_nothing(
        store: Store) -> None:
    secret, made = store.tokens.create("alice", "root")
    revoked, changed = store.tokens.revoke(str(made.id), "carol")
    assert changed and revoked.revoked_at is not None
    assert store.tokens.verify(secret) is None
    again, changed_again = store.tokens.revoke(str(made.id), "carol")
    assert not changed_again and again.revoked_at == revoked.revoked_at
    actions = [(row["operator"], row["action"]) for row in store.views.audit()]
    assert actions == [("carol", "token_revoke"), ("root", "token_create")]


def test_tokens_are_found_by_id_prefix_start_or_whole_token(store: Store) -> None:
    secret, made = store.tokens.create("alice", "root")
    store.tokens.create("bob", "root")
    for which in (str(made.id), made.prefix, made.prefix[:10], secret, f" {made.id} "):
        assert store.tokens.find(which).id == made.id, which


def test_an_ambiguous_prefix_names_the_candidates(store: Store) -> None:
    store.tokens.create("alice", "root")
    store.tokens.create("bob", "root")
    with pytest.raises(InvalidInputError, match="matches tokens 1, 2: give the id"):
        store.tokens.revoke("mdm_", "root")
    assert all(row["revoked_at"] is None for row in stored_rows(store))


@pytest.mark.parametrize("which", ["99", "mdm_zzzzzzzz", "mdm_" + "z" * 43])
def test_no_such_token_is_not_found(store: Store, which: str) -> None:
    store.tokens.create("alice", "root")
    with pytest.raises(NotFound, match="modemd token list"):
        store.tokens.revoke(which, "root")


def test_use_is_noted_at_most_once_a_minute(store: Store, token_clock: Clock) -> None:
    secret, _ = store.tokens.create("alice", "root")
    first = store.tokens.verify(secret)
    assert first is not None
    used_at = stored_rows(store)[0]["last_used_at"]
    assert used_at is not None
    token_clock.advance(timedelta(seconds=59))
    store.tokens.verify(secret)
    assert stored_rows(store)[0]["last_used_at"] == used_at  # no write for a read
    token_clock.advance(timedelta(seconds=2))
    store.tokens.verify(secret)
    later = stored_rows(store)[0]["last_used_at"]
    assert later > used_at
    assert store.tokens.list()[0].last_used_at == later


def test_creating_is_audited_without_the_token(store: Store) -> None:
    secret, made = store.tokens.create("alice", "root")
    entry, = store.views.audit()
    assert (entry["operator"], entry["action"]) == ("root", "token_create")
    assert made.prefix in entry["detail"] and "alice" in entry["detail"]
    assert secret not in entry["detail"]


@pytest.mark.parametrize("name", ["", "two words", "tab\there", "new\nline", "nul\x00",
                                  "x" * 65, None, 7])
def test_agent_names_must_be_names(store: Store, name: object) -> None:
    with pytest.raises(InvalidInputError):
        check_agent(name)
    if isinstance(name, str):
        with pytest.raises(InvalidInputError):
            store.tokens.create(name, "root")
    assert stored_rows(store) == []


@pytest.mark.parametrize("name", ["alice", "j.doe", "ops-bot_2", "zoë", "x" * 64])
def test_agent_names_that_are_fine(name: str) -> None:
    assert check_agent(name) == name


def test_tokens_outlive_the_process_that_made_them(open_store) -> None:
    first = open_store()
    secret, _ = first.tokens.create("alice", "root")
    first.close()
    found = open_store().tokens.verify(secret)
    assert found is not None and found.agent == "alice"
