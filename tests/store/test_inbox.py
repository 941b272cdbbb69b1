"""Inbound parts: deduplicated by fingerprint, reassembled from rows across restarts,
incomplete after a timeout with late parts merged, quarantine for undecodable PDUs."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest

from modemd.store import Store
from modemd.store.inbound import MISSING, REFERENCE_WINDOW

from .conftest import Clock
from .helpers import CUSTOMER, OTHER, SCTS, add_line, delivers

LONG = "".join(f"{n:03d} the quick brown fox jumps over the lazy dog. " for n in range(8))
WIDE = "Ünïcødé ✓ " * 19  # UCS-2, 190 units: three parts of 66


def messages(store: Store) -> list[dict]:
    return store.database.query("SELECT * FROM messages WHERE direction = 'in' ORDER BY id")


def test_a_single_part_is_a_received_message(store: Store) -> None:
    line = add_line(store, 1)
    [(pdu, deliver)] = delivers(CUSTOMER, "Hi, is my order shipped? €5 [ok]")
    recorded = store.inbox.record(line, pdu, deliver)
    assert recorded.kind == "message"
    [row] = messages(store)
    assert row["id"] == recorded.message_id
    assert (row["peer"], row["peer_type"], row["line_id"], row["text"], row["status"],
            row["parts"], row["parts_received"]) == (
        CUSTOMER, 0x91, line, "Hi, is my order shipped? €5 [ok]", "received", 1, 1)
    assert row["smsc_time"].startswith("2026-11-26T17:00:00")


def test_a_duplicate_pdu_is_stored_once(store: Store) -> None:
    line = add_line(store, 1)
    [(pdu, deliver)] = delivers(CUSTOMER, "once")
    assert store.inbox.record(line, pdu, deliver).kind == "message"
    assert store.inbox.record(line, pdu, deliver).kind == "duplicate"
    assert store.inbox.record(line, pdu.lower() + "\r\n", deliver).kind == "duplicate"
    assert len(messages(store)) == 1
    assert len(store.database.query("SELECT id FROM inbound_parts")) == 1


def test_the_same_pdu_on_two_lines_is_two_messages(store: Store) -> None:
    one, two = add_line(store, 1), add_line(store, 2)
    [(pdu, deliver)] = delivers(CUSTOMER, "same bytes")
    assert store.inbox.record(one, pdu, deliver).kind == "message"
    assert store.inbox.record(two, pdu, deliver).kind == "message"


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_three_parts_in_any_order_make_one_exact_message(
        store: Store, order: tuple[int, ...]) -> None:
    line = add_line(store, 1)
    pieces = delivers(CUSTOMER, LONG, reference=77)
    assert len(pieces) == 3
    kinds = [store.inbox.record(line, *pieces[i]).kind for i in order]
    assert kinds == ["part", "part", "message"]
    [row] = messages(store)
    assert (row["text"], row["status"], row["parts"], row["parts_received"]) == (
        LONG, "received", 3, 3)


def test_ucs2_parts_with_a_16_bit_reference(store: Store) -> None:
    line = add_line(store, 1)
    pieces = delivers(CUSTOMER, WIDE, reference=0xBEEF, wide=True)
    assert len(pieces) == 3
    for piece in reversed(pieces):
        store.inbox.record(line, *piece)
    [row] = messages(store)
    assert (row["text"], row["status"]) == (WIDE, "received")


def test_duplicate_parts_do_not_complete_a_message(store: Store) -> None:
    line = add_line(store, 1)
    first, second, third = delivers(CUSTOMER, LONG, reference=5)
    assert store.inbox.record(line, *first).kind == "part"
    assert store.inbox.record(line, *first).kind == "duplicate"
    assert store.inbox.record(line, *second).kind == "part"
    assert store.inbox.record(line, *second).kind == "duplicate"
    assert messages(store) == []
    assert store.inbox.record(line, *third).kind == "message"
    assert messages(store)[0]["text"] == LONG


def test_parts_survive_a_restart_and_stay_deduplicated(open_store: Callable[[], Store]) -> None:
    store = open_store()
    line = add_line(store, 1)
    first, second, third = delivers(CUSTOMER, LONG, reference=9)
    store.inbox.record(line, *first)
    store.inbox.record(line, *third)
    store.close()  # killed before the SIM was swept
    restarted = open_store()
    # the sweep reads everything on the SIM again: the known parts are duplicates
    assert restarted.inbox.record(line, *first).kind == "duplicate"
    assert restarted.inbox.record(line, *third).kind == "duplicate"
    assert restarted.inbox.record(line, *second).kind == "message"
    [row] = messages(restarted)
    assert (row["text"], row["status"]) == (LONG, "received")
    assert len(restarted.database.query("SELECT id FROM inbound_parts")) == 3


def test_two_messages_from_one_sender_with_different_references_do_not_mix(
        store: Store) -> None:
    line = add_line(store, 1)
    other_text = LONG.replace("fox", "cat")
    a = delivers(CUSTOMER, LONG, reference=1)
    b = delivers(CUSTOMER, other_text, reference=2)
    for piece in (a[0], b[1], b[0], a[2], b[2], a[1]):
        store.inbox.record(line, *piece)
    assert [r["text"] for r in messages(store)] == [other_text, LONG]


def test_same_reference_from_two_senders_does_not_mix(store: Store) -> None:
    line = add_line(store, 1)
    a = delivers(CUSTOMER, LONG, reference=3)
    b = delivers(OTHER, LONG.upper(), reference=3)
    for piece in (a[0], b[0], a[1], b[1], b[2], a[2]):
        store.inbox.record(line, *piece)
    assert {(r["peer"], r["text"]) for r in messages(store)} == {
        (CUSTOMER, LONG), (OTHER, LONG.upper())}


def test_8_bit_and_16_bit_references_with_the_same_number_are_different_keys(
        store: Store) -> None:
    line = add_line(store, 1)
    narrow = delivers(CUSTOMER, "n" * 200, reference=5)
    wide = delivers(CUSTOMER, "w" * 200, reference=5, wide=True)
    assert len(narrow) == len(wide) == 2
    assert store.inbox.record(line, *narrow[0]).kind == "part"
    assert store.inbox.record(line, *wide[1]).kind == "part"  # not "the other half"
    assert messages(store) == []
    assert store.inbox.record(line, *wide[0]).kind == "message"
    assert store.inbox.record(line, *narrow[1]).kind == "message"
    assert [r["text"] for r in messages(store)] == ["w" * 200, "n" * 200]


def test_a_reference_reused_outside_the_window_does_not_merge(
        store: Store, clock: Clock) -> None:
    line = add_line(store, 1)
    stale = delivers(CUSTOMER, LONG, reference=42)
    fresh = delivers(CUSTOMER, LONG.upper(), reference=42,
                     timestamp=SCTS + REFERENCE_WINDOW * 2)
    store.inbox.record(line, *stale[0])  # its siblings never came
    clock.advance(REFERENCE_WINDOW + timedelta(hours=1))
    assert store.inbox.record(line, *fresh[1]).kind == "part"
    assert store.inbox.record(line, *fresh[2]).kind == "part"  # not completed by stale[0]
    assert store.inbox.record(line, *fresh[0]).kind == "message"
    [row] = messages(store)
    assert row["text"] == LONG.upper()


def test_flush_makes_an_incomplete_message_and_a_late_part_completes_it(
        store: Store, clock: Clock) -> None:
    line = add_line(store, 1)
    first, second, third = delivers(CUSTOMER, LONG, reference=11)
    store.inbox.record(line, *first)
    store.inbox.record(line, *third)
    assert store.inbox.flush_incomplete(timedelta(minutes=10)) == []  # not yet
    clock.advance(timedelta(minutes=11))
    [made] = store.inbox.flush_incomplete(timedelta(minutes=10))
    [row] = messages(store)
    assert row["id"] == made
    assert (row["status"], row["parts"], row["parts_received"]) == ("incomplete", 3, 2)
    assert row["text"] == first[1].text + MISSING + third[1].text
    assert store.inbox.flush_incomplete(timedelta(minutes=10)) == []  # flushed once

    clock.advance(timedelta(hours=2))
    recorded = store.inbox.record(line, *second)
    assert (recorded.kind, recorded.message_id) == ("merged", made)
    [row] = messages(store)
    assert (row["status"], row["parts_received"], row["text"]) == ("received", 3, LONG)
    assert store.views.message(made)["parts_received"] == 3


def test_flush_leaves_other_waiting_groups_alone(store: Store, clock: Clock) -> None:
    line = add_line(store, 1)
    old = delivers(CUSTOMER, LONG, reference=1)
    store.inbox.record(line, *old[0])
    clock.advance(timedelta(minutes=30))
    recent = delivers(CUSTOMER, LONG.upper(), reference=2)
    store.inbox.record(line, *recent[0])
    assert len(store.inbox.flush_incomplete(timedelta(minutes=10))) == 1
    store.inbox.record(line, *recent[1])
    assert store.inbox.record(line, *recent[2]).kind == "message"
    assert {r["text"] for r in messages(store)} == {
        old[0][1].text + MISSING + MISSING, LONG.upper()}


def test_flush_survives_a_restart(open_store: Callable[[], Store], clock: Clock) -> None:
    store = open_store()
    line = add_line(store, 1)
    first, _second = delivers(CUSTOMER, "z" * 200, reference=8)
    store.inbox.record(line, *first)
    store.close()
    clock.advance(timedelta(hours=1))
    restarted = open_store()
    [made] = restarted.inbox.flush_incomplete(timedelta(minutes=10))
    assert restarted.views.message(made)["status"] == "incomplete"


def test_a_new_message_reusing_the_reference_of_an_incomplete_one_is_not_mixed_in(
        store: Store, clock: Clock) -> None:
    line = add_line(store, 1)
    lost = delivers(CUSTOMER, "a" * 200, reference=50)
    store.inbox.record(line, *lost[0])  # part 2 never arrives
    clock.advance(timedelta(hours=1))
    [incomplete] = store.inbox.flush_incomplete(timedelta(minutes=10))
    clock.advance(timedelta(hours=1))
    new = delivers(CUSTOMER, "b" * 200, reference=50)  # the phone's counter came round
    for piece in new:
        store.inbox.record(line, *piece)
    rows = {r["id"]: r for r in messages(store)}
    assert (rows[incomplete]["status"], rows[incomplete]["text"]) == (
        "incomplete", "a" * 153 + MISSING)
    assert [r["text"] for r in rows.values() if r["id"] != incomplete] == ["b" * 200]


def test_an_alphanumeric_sender_is_kept_raw_with_its_type(store: Store) -> None:
    line = add_line(store, 1)
    [(pdu, deliver)] = delivers("MyBank", "Your code is 123456")
    store.inbox.record(line, pdu, deliver)
    [row] = messages(store)
    assert (row["peer"], row["peer_type"], row["text"]) == ("MyBank", 0xD0,
                                                             "Your code is 123456")


def test_a_short_code_sender_is_kept_raw(store: Store) -> None:
    line = add_line(store, 1)
    [(pdu, deliver)] = delivers("72345", "STOP to opt out")
    store.inbox.record(line, pdu, deliver)
    [row] = messages(store)
    assert (row["peer"], row["peer_type"]) == ("72345", 0x81)


def test_quarantine_keeps_the_raw_pdu_and_reason_once(store: Store) -> None:
    line = add_line(store, 1)
    garbage = "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"
    first = store.inbox.quarantine(line, garbage, "TP-UDL 12 exceeds the data")
    assert first.kind == "quarantined"
    assert store.inbox.quarantine(line, garbage, "TP-UDL 12 exceeds the data").kind == (
        "duplicate")
    assert store.inbox.quarantine(line, "ZZ", "not hexadecimal").kind == "quarantined"
    shown = store.views.quarantine()
    assert [(q["pdu"], q["reason"], q["line_id"]) for q in shown] == [
        ("ZZ", "not hexadecimal", line), (garbage, "TP-UDL 12 exceeds the data", line)]
    assert messages(store) == []


def test_quarantine_without_a_line(store: Store) -> None:
    assert store.inbox.quarantine(None, "00", "empty").kind == "quarantined"
    assert store.views.quarantine()[0]["line_id"] is None
