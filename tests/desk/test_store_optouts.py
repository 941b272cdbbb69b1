"""Opt-outs through the store API: a keyword text changes them in the transaction that
completes the message, what was queued fails, and agents record and lift them."""

from __future__ import annotations

import sqlite3

import pytest

from modemd.store import IllegalTransition, OutboundStatus, Store

from .conftest import CUSTOMER, OTHER, queued, texted

LONG_STOP_SENTENCE = "Please, " + "I really do not want these messages any more. " * 4 + "stop"


def status(store: Store, message_id: int) -> dict:
    found = store.views.message(message_id)
    assert found is not None
    return found


def test_a_stop_text_opts_the_sender_out_with_its_message_and_time(store: Store,
                                                                   line: int) -> None:
    [message_id] = texted(store, line, CUSTOMER, " Stop. ")
    optout = store.optouts.get(CUSTOMER)
    assert optout is not None
    assert (optout.peer, optout.source, optout.operator, optout.keyword) == (
        CUSTOMER, message_id, None, "STOP")
    assert optout.since.endswith("Z")
    assert optout.public() == {"peer": CUSTOMER, "since": optout.since, "source": message_id,
                               "operator": None}
    assert store.optouts.get(OTHER) is None


def test_a_stop_from_a_sender_name_is_stored_like_any_other(store: Store, line: int) -> None:
    [message_id] = texted(store, line, "ACME", "STOP")  # never lost for want of a +
    assert store.views.message(message_id)["text"] == "STOP"
    assert store.optouts.get("ACME").source == message_id


def test_a_sentence_with_stop_in_it_changes_nothing(store: Store, line: int) -> None:
    texted(store, line, CUSTOMER, "please stop")
    texted(store, line, CUSTOMER, LONG_STOP_SENTENCE)
    assert store.optouts.list() == []


def test_start_opts_back_in_and_both_are_audited_with_the_peer(store: Store, line: int) -> None:
    [stop] = texted(store, line, CUSTOMER, "UNSUBSCRIBE")
    [start] = texted(store, line, CUSTOMER, "start!")
    assert store.optouts.get(CUSTOMER) is None
    trail = store.views.audit(peer=CUSTOMER)
    assert [(a["action"], a["operator"], a["message_id"]) for a in trail] == [
        ("optin", CUSTOMER, start), ("optout", CUSTOMER, stop)]


def test_a_second_stop_keeps_the_first_one_s_time(store: Store, line: int) -> None:
    [first] = texted(store, line, CUSTOMER, "STOP")
    since = store.optouts.get(CUSTOMER).since
    texted(store, line, CUSTOMER, "QUIT")
    again = store.optouts.get(CUSTOMER)
    assert (again.since, again.source) == (since, first)


def test_queued_messages_to_the_peer_fail_with_the_reason_others_stay(store: Store,
                                                                      line: int) -> None:
    waiting = queued(store, CUSTOMER, "your ticket")
    long_waiting = queued(store, CUSTOMER, "x" * 400)  # several parts, none out yet
    elsewhere = queued(store, OTHER)
    texted(store, line, CUSTOMER, "stop")
    for message_id in (waiting, long_waiting):
        shown = status(store, message_id)
        assert shown["status"] == OutboundStatus.FAILED
        assert shown["error"].startswith(f"not sent: {CUSTOMER} opted out (STOP) at ")
        assert {p["status"] for p in shown["part_list"]} == {"failed"}
    assert status(store, elsewhere)["status"] == OutboundStatus.QUEUED


def test_a_message_being_sent_is_left_to_finish(store: Store, line: int) -> None:
    message_id = queued(store, CUSTOMER)
    claim = store.outbox.claim(line, lambda conn, peer, requested: line)
    assert claim is not None
    texted(store, line, CUSTOMER, "stop")
    assert status(store, message_id)["status"] == OutboundStatus.SENDING


def test_a_long_stop_counts_once_its_last_part_arrives(store: Store, line: int) -> None:
    text = "STOP" + " " * 200 + "!"  # two parts: a keyword only when whole
    first, second = texted(store, line, CUSTOMER, text, reference=9)
    assert first is None and second is not None
    assert store.optouts.get(CUSTOMER).source == second


def test_an_agent_records_and_lifts_an_opt_out(store: Store) -> None:
    waiting = queued(store, CUSTOMER)
    recorded = store.optouts.add(CUSTOMER, "alice")
    assert (recorded.source, recorded.operator) == (None, "alice")
    assert "recorded by alice" in recorded.reason()
    assert status(store, waiting)["status"] == OutboundStatus.FAILED
    assert store.optouts.add(CUSTOMER, "bob") == recorded  # the first one stands
    assert store.optouts.remove(CUSTOMER, "bob") == recorded
    assert store.optouts.remove(CUSTOMER, "bob") is None
    trail = store.views.audit(peer=CUSTOMER)
    assert [(a["action"], a["operator"]) for a in trail] == [
        ("optin", "bob"), ("optout", "alice"), ("send", "alice")]


def test_the_schema_refuses_an_opt_out_of_nobody(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError), store.database.write() as conn:
        conn.execute("INSERT INTO optouts (peer, since, keyword) VALUES (?, 't', 'STOP')",
                     (CUSTOMER,))


def test_a_failed_opt_out_message_can_only_be_resent_by_an_agent(store: Store,
                                                                 line: int) -> None:
    waiting = queued(store, CUSTOMER)
    texted(store, line, CUSTOMER, "end")
    store.outbox.resend(waiting, "alice")  # the table allows failed -> queued
    assert status(store, waiting)["status"] == OutboundStatus.QUEUED
    with pytest.raises(IllegalTransition):
        store.outbox.resend(waiting, "alice")
