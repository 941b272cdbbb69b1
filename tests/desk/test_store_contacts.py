"""Contacts through the store API, and names in the message objects agents see."""

from __future__ import annotations

import pytest

from modemd.errors import InvalidInputError
from modemd.store import Store

from .conftest import CUSTOMER, OTHER, queued, texted


def test_a_contact_s_name_is_in_every_message_object(store: Store, line: int) -> None:
    out = queued(store, CUSTOMER)
    texted(store, line, CUSTOMER, "thanks")
    queued(store, OTHER)
    store.contacts.add(CUSTOMER, "Ada Lovelace", "alice")
    [inbound] = store.views.messages("in")
    assert inbound["contact"] == "Ada Lovelace"
    assert [m["contact"] for m in store.views.messages("out")] == [None, "Ada Lovelace"]
    assert {m["contact"] for m in store.views.thread(CUSTOMER)} == {"Ada Lovelace"}
    assert store.views.message(out)["contact"] == "Ada Lovelace"


def test_names_match_exactly_ignoring_case(store: Store) -> None:
    store.contacts.add(CUSTOMER, "Ada", "alice")
    store.contacts.add(OTHER, "ada lovelace", "alice")
    assert [c.peer for c in store.contacts.named(" ADA ")] == [CUSTOMER]
    assert store.contacts.named("Lovelace") == []


def test_adding_again_renames_and_removing_forgets_both_audited(store: Store) -> None:
    assert store.contacts.add(CUSTOMER, "Ada", "alice") is None
    assert store.contacts.add(CUSTOMER, "Ada  Lovelace", "bob").name == "Ada"
    assert [(c.peer, c.name) for c in store.contacts.list()] == [(CUSTOMER, "Ada Lovelace")]
    assert store.contacts.remove(CUSTOMER, "carol").name == "Ada Lovelace"
    assert store.contacts.remove(CUSTOMER, "carol") is None
    trail = store.views.audit(peer=CUSTOMER)
    assert [(a["action"], a["operator"], a["detail"]) for a in trail] == [
        ("contact_remove", "carol", "was 'Ada Lovelace'"),
        ("contact_add", "bob", "named 'Ada Lovelace' (was 'Ada')"),
        ("contact_add", "alice", "named 'Ada'")]


@pytest.mark.parametrize(("name", "why"), [("  ", "empty"), ("+1415", "starts like a phone"),
                                           ("4711 Ltd", "starts like a phone"),
                                           ("x" * 81, "limit is 80")])
def test_names_that_would_confuse_send_are_refused(store: Store, name: str, why: str) -> None:
    with pytest.raises(InvalidInputError, match=why):
        store.contacts.add(CUSTOMER, name, "alice")
    assert store.contacts.list() == []


def test_the_audit_filters_by_operator_and_limits(store: Store) -> None:
    queued(store, CUSTOMER)
    store.contacts.add(OTHER, "Bea", "bob")
    store.contacts.add(CUSTOMER, "Ada", "bob")
    assert [a["action"] for a in store.views.audit(operator="alice")] == ["send"]
    assert [a["peer"] for a in store.views.audit(operator="bob", limit=1)] == [CUSTOMER]
    [sent] = store.views.audit(peer=CUSTOMER, operator="alice")
    assert (sent["contact"], sent["peer"]) == ("Ada", CUSTOMER)  # the peer from the message
