"""Conversations (one row per peer, newest first, unread counts, claims, opt-outs), marking
a thread read, the inbox's unread filter, and conversation claims with their audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from modemd.store import OutboundStatus, Store
from modemd.store.db import iso

from .conftest import Clock
from .helpers import CUSTOMER, OTHER, add_line, delivers, queue

THIRD = "+12015550125"
CONVERSATION_KEYS = {"peer", "contact", "line", "last_at", "last_direction", "last_status",
                     "last_text", "unread", "claimed_by", "opted_out"}


@pytest.fixture
def clocked(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The test clock for claims and read marks too."""
    for module in ("claims", "conversations"):
        monkeypatch.setattr(f"modemd.store.{module}.utc_now", clock)
    return clock


def texted(store: Store, line: int, sender: str, *texts: str) -> None:
    for text in texts:
        [(pdu, deliver)] = delivers(sender, text)
        store.inbox.record(line, pdu, deliver)


def by_peer(store: Store, **filters) -> dict[str, dict]:
    return {row["peer"]: row for row in store.conversations.list(**filters)}


def test_one_row_per_peer_with_its_last_message_newest_first(store: Store,
                                                            clock: Clock) -> None:
    line = add_line(store, 1)
    texted(store, line, CUSTOMER, "where is my order?", "hello??")
    clock.advance(timedelta(minutes=1))
    queue(store, "on its way", to=OTHER, line=line)
    clock.advance(timedelta(minutes=1))
    queue(store, "today, by noon", to=CUSTOMER)
    store.contacts.add(CUSTOMER, "Ada", "alice")
    store.optouts.add(OTHER, "bob")
    rows = store.conversations.list()
    assert [row["peer"] for row in rows] == [CUSTOMER, OTHER]
    assert all(set(row) == CONVERSATION_KEYS for row in rows)
    ada, other = rows
    assert {k: ada[k] for k in CONVERSATION_KEYS - {"last_at"}} == {
        "peer": CUSTOMER, "contact": "Ada", "line": None, "last_direction": "out",
        "last_status": "queued", "last_text": "today, by noon", "unread": 2,
        "claimed_by": None, "opted_out": False}
    assert ada["last_at"] == store.views.thread(CUSTOMER)[-1]["created_at"]
    assert (other["line"], other["last_status"], other["opted_out"], other["unread"]) == (
        "+15551000001", OutboundStatus.FAILED, True, 0)  # the opt-out failed what waited


def test_the_last_inbound_message_shows_its_line_and_direction(store: Store) -> None:
    line = add_line(store, 2, name="desk-2")
    texted(store, line, CUSTOMER, "hi, it's me")
    [row] = store.conversations.list()
    assert (row["last_direction"], row["last_status"], row["line"], row["last_text"]) == (
        "in", "received", "+15551000002", "hi, it's me")


def test_filters_and_limit(store: Store, clock: Clock) -> None:
    line = add_line(store, 1)
    texted(store, line, CUSTOMER, "first question")
    clock.advance(timedelta(seconds=5))
    texted(store, line, OTHER, "second question")
    clock.advance(timedelta(seconds=5))
    queue(store, "no reply yet", to=THIRD)
    store.claims.claim(OTHER, "alice")
    store.claims.claim(THIRD, "alice")
    store.claims.claim(CUSTOMER, "bob")
    assert list(by_peer(store, unread_only=True)) == [OTHER, CUSTOMER]
    assert list(by_peer(store, claimed_by="alice")) == [THIRD, OTHER]
    assert list(by_peer(store, claimed_by="alice", unread_only=True)) == [OTHER]
    assert list(by_peer(store, claimed_by="carol")) == []
    assert list(by_peer(store, limit=1)) == [THIRD]
    assert by_peer(store)[CUSTOMER]["claimed_by"] == "bob"


def test_search_finds_text_either_way_names_and_digits_case_ignored(store: Store,
                                                                    clock: Clock) -> None:
    line = add_line(store, 1)
    texted(store, line, CUSTOMER, "Mój ZAMÓWIENIE nie dotarło")  # Ó folds only in Python
    clock.advance(timedelta(seconds=5))
    queue(store, "Your parcel left Łódź today", to=OTHER)
    clock.advance(timedelta(seconds=5))
    queue(store, "nothing to see", to=THIRD)
    store.contacts.add(THIRD, "Grace Hopper", "alice")
    store.claims.claim("+12015550999", "alice")  # claimed, never texted
    assert list(by_peer(store, search="zamówienie")) == [CUSTOMER]
    assert list(by_peer(store, search="ŁÓDŹ")) == [OTHER]  # what we sent counts too
    assert list(by_peer(store, search="hopper")) == [THIRD]
    assert list(by_peer(store, search="0999")) == ["+12015550999"]
    assert list(by_peer(store, search="+1201555012")) == [THIRD, OTHER, CUSTOMER]
    assert list(by_peer(store, search="o")) == [THIRD, OTHER, CUSTOMER]
    assert list(by_peer(store, search="o", unread_only=True)) == [CUSTOMER]
    assert list(by_peer(store, search="o", limit=1)) == [THIRD]
    assert list(by_peer(store, search="%")) == []  # no LIKE wildcards
    assert list(by_peer(store, search="_")) == []
    assert list(by_peer(store, search="PARCEL LEFT")) == [OTHER]  # ASCII words, any text


def test_search_folds_as_python_does_whatever_the_script(store: Store) -> None:
    queue(store, "Große Straße 5", to=CUSTOMER)
    queue(store, "Hauptstrasse 1, 50% off_today \\o/", to=OTHER)
    assert list(by_peer(store, search="STRASSE")) == [OTHER, CUSTOMER]  # ß folds to ss
    assert list(by_peer(store, search="ß")) == [OTHER, CUSTOMER]
    assert list(by_peer(store, search="50% OFF_")) == [OTHER]
    assert list(by_peer(store, search="\\O/")) == [OTHER]
    assert list(by_peer(store, search="no such words")) == []


def test_a_long_thread_shows_its_newest_messages_oldest_first(store: Store,
                                                              clock: Clock) -> None:
    for number in range(5):
        queue(store, f"message {number}")
        clock.advance(timedelta(seconds=1))
    assert [m["text"] for m in store.views.thread(CUSTOMER, limit=3)] == [
        "message 2", "message 3", "message 4"]
    assert len(store.views.thread(CUSTOMER)) == 5


def test_a_claimed_peer_without_messages_is_listed_last(store: Store) -> None:
    queue(store, "hello")
    store.claims.claim(OTHER, "alice")
    rows = store.conversations.list()
    assert [row["peer"] for row in rows] == [CUSTOMER, OTHER]
    assert {k: rows[1][k] for k in ("last_at", "last_text", "unread", "claimed_by")} == {
        "last_at": None, "last_text": None, "unread": 0, "claimed_by": "alice"}


def test_marking_read_counts_once_and_touches_only_that_peer(store: Store,
                                                             clocked: Clock) -> None:
    line = add_line(store, 1)
    texted(store, line, CUSTOMER, "one", "two")
    texted(store, line, OTHER, "three")
    queue(store, "an answer")
    assert [m["text"] for m in store.views.messages("in", unread=True)] == ["three", "two", "one"]
    assert store.conversations.mark_read(CUSTOMER) == 2
    assert store.conversations.mark_read(CUSTOMER) == 0
    assert by_peer(store)[CUSTOMER]["unread"] == 0 and by_peer(store)[OTHER]["unread"] == 1
    assert [m["text"] for m in store.views.messages("in", unread=True)] == ["three"]
    read = {m["text"]: m["read_at"] for m in store.views.thread(CUSTOMER) if m["direction"] == "in"}
    assert read["one"] == read["two"] is not None and read["one"] <= iso(clocked.now)
    texted(store, line, CUSTOMER, "four")  # a new message is unread again
    assert by_peer(store, unread_only=True)[CUSTOMER]["unread"] == 1


def test_claims_refuse_another_agent_unless_forced_and_audit_each(store: Store,
                                                                  clocked: Clock) -> None:
    first = store.claims.claim(CUSTOMER, "alice")
    assert first.previous is None and first.holder.operator == "alice"
    again = store.claims.claim(CUSTOMER, "alice")
    assert again.holder == again.previous == first.holder  # a no-op: no new audit row
    refused = store.claims.claim(CUSTOMER, "bob")
    assert refused.holder == first.holder and store.claims.get(CUSTOMER) == first.holder
    taken = store.claims.claim(CUSTOMER, "bob", force=True)
    assert taken.previous == first.holder and store.claims.get(CUSTOMER).operator == "bob"
    audit = [(a["operator"], a["action"], a["peer"], a["detail"])
             for a in store.views.audit()][::-1]
    assert audit == [("alice", "claim", CUSTOMER, "claimed"),
                     ("bob", "claim", CUSTOMER,
                      f"taken over from alice (theirs since {first.holder.since})")]


def test_only_the_holder_releases_unless_forced(store: Store) -> None:
    assert store.claims.release(CUSTOMER, "alice").previous is None
    held = store.claims.claim(CUSTOMER, "alice").holder
    refused = store.claims.release(CUSTOMER, "bob")
    assert (refused.previous, refused.released) == (held, False)
    assert store.claims.get(CUSTOMER) == held
    forced = store.claims.release(CUSTOMER, "bob", force=True)
    assert (forced.previous, forced.released) == (held, True)
    assert store.claims.get(CUSTOMER) is None
    store.claims.claim(OTHER, "carol")
    assert store.claims.release(OTHER, "carol").released
    details = [(a["operator"], a["action"], a["detail"]) for a in store.views.audit()][:3]
    assert details == [("carol", "release", "released"), ("carol", "claim", "claimed"),
                       ("bob", "release", f"released alice's claim (since {held.since}), forced")]


def test_another_agent_s_recent_text_is_found_not_one_s_own_nor_a_cancelled(
        store: Store, clock: Clock) -> None:
    start = iso(clock.now)
    queue(store, "mine", operator="alice")
    assert store.conversations.last_text_by_another(CUSTOMER, "alice", start) is None
    bobs = queue(store, "bob's", operator="bob")
    found = store.conversations.last_text_by_another(CUSTOMER, "alice", start)
    assert found == {"operator": "bob", "created_at": store.views.message(bobs)["created_at"]}
    assert store.conversations.last_text_by_another(OTHER, "alice", start) is None
    later = iso(clock.now + timedelta(seconds=1))
    assert store.conversations.last_text_by_another(CUSTOMER, "alice", later) is None
    store.schedule.cancel(bobs, "bob")
    assert store.conversations.last_text_by_another(CUSTOMER, "alice", start) is None
