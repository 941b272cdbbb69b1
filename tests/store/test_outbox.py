"""The outbound state machine: queued -> sending -> sent -> ..., unknown, resend, recovery."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from modemd.store import IllegalTransition, NotFound, Store

from .conftest import Clock
from .helpers import CUSTOMER, add_line, claim, message_row, parts, queue, send, status

LONG = "x" * 400  # three GSM-7 parts


def test_enqueue_writes_message_parts_and_an_audit_row(store: Store) -> None:
    message_id = queue(store, LONG, operator="bob")
    row = message_row(store, message_id)
    assert (row["status"], row["parts"], row["encoding"], row["operator"]) == (
        "queued", 3, "gsm7", "bob")
    assert [(p["seq"], p["status"], p["mr"]) for p in parts(store, message_id)] == [
        (1, "queued", None), (2, "queued", None), (3, "queued", None)]
    audit = store.database.query("SELECT operator, action, message_id, detail FROM audit")
    assert audit == [{"operator": "bob", "action": "send", "message_id": message_id,
                      "detail": f"to {CUSTOMER}"}]


def test_claim_send_every_part_then_sent(store: Store) -> None:
    line = add_line(store, 1)
    message_id = queue(store, LONG)
    claimed = claim(store, line)
    assert claimed is not None
    assert (claimed.message_id, claimed.peer, claimed.attempts) == (message_id, CUSTOMER, 0)
    assert [p.seq for p in claimed.parts] == [1, 2, 3]
    assert status(store, message_id) == "sending"
    assert claim(store, line) is None  # a sending message is nobody else's
    for mr, part in enumerate(claimed.parts, start=7):
        store.outbox.part_sending(part.id, line)
        assert parts(store, message_id)[part.seq - 1]["status"] == "sending"
        store.outbox.part_sent(message_id, part.id, mr, attempt=part.seq == 1)
        expected = "sent" if part.seq == 3 else "sending"
        assert status(store, message_id) == expected
    row = message_row(store, message_id)
    assert row["line_id"] == line and row["sent_at"] is not None
    assert row["attempts"] == 1  # one claim reached the modem, whatever its parts
    assert [(p["status"], p["mr"], p["line_id"]) for p in parts(store, message_id)] == [
        ("sent", 7, line), ("sent", 8, line), ("sent", 9, line)]


def test_claim_takes_the_oldest_due_message_first(store: Store) -> None:
    line = add_line(store, 1)
    first, second = queue(store, "one"), queue(store, "two")
    assert claim(store, line).message_id == first
    assert claim(store, line).message_id == second


def test_retry_requeues_for_later_and_it_is_not_claimable_until_then(
        store: Store, clock: Clock) -> None:
    line = add_line(store, 1)
    message_id = queue(store)
    part = claim(store, line).parts[0]
    store.outbox.part_sending(part.id, line)
    store.outbox.part_retry(message_id, part.id, timedelta(seconds=30), "+CMS ERROR: 38",
                            attempt=True)
    row = message_row(store, message_id)
    assert (row["status"], row["error"]) == ("queued", "+CMS ERROR: 38")
    assert row["next_attempt_at"] > clock.now.strftime("%Y-%m-%dT%H:%M:%S")
    assert parts(store, message_id)[0]["status"] == "queued"
    assert claim(store, line) is None
    clock.advance(timedelta(seconds=29))
    assert claim(store, line) is None
    clock.advance(timedelta(seconds=2))
    again = claim(store, line)
    assert again is not None and again.message_id == message_id and again.attempts == 1
    assert [p.id for p in again.parts] == [part.id]


def test_part_failed_fails_the_message_with_its_reason(store: Store) -> None:
    line = add_line(store, 1)
    message_id = queue(store)
    part = claim(store, line).parts[0]
    store.outbox.part_sending(part.id, line)
    store.outbox.part_failed(message_id, part.id, "+CMS ERROR: 21 (short message rejected)",
                             attempt=True)
    row = message_row(store, message_id)
    assert (row["status"], row["error"]) == ("failed", "+CMS ERROR: 21 (short message rejected)")
    assert parts(store, message_id)[0]["status"] == "failed"


def test_part_unknown_makes_the_message_unknown_and_it_is_never_claimed(store: Store) -> None:
    line = add_line(store, 1)
    message_id = queue(store)
    part = claim(store, line).parts[0]
    store.outbox.part_sending(part.id, line)
    store.outbox.part_unknown(message_id, part.id, "no answer to the PDU within 120 s",
                              attempt=True)
    row = message_row(store, message_id)
    assert (row["status"], row["error"]) == ("unknown", "no answer to the PDU within 120 s")
    assert parts(store, message_id)[0]["status"] == "unknown"
    assert claim(store, line) is None


def _delivered(store: Store, line: int) -> int:
    queue(store)
    message_id = send(store, line, mr=5)
    with store.database.write() as conn:
        conn.execute("UPDATE outbound_parts SET status = 'delivered' WHERE message_id = ?",
                     (message_id,))
        conn.execute("UPDATE messages SET status = 'delivered' WHERE id = ?", (message_id,))
    return message_id


def test_resend_of_a_delivered_message_is_illegal(store: Store) -> None:
    line = add_line(store, 1)
    message_id = _delivered(store, line)
    with pytest.raises(IllegalTransition, match="delivered to queued"):
        store.outbox.resend(message_id, "alice")
    assert status(store, message_id) == "delivered"
    assert store.database.query("SELECT * FROM audit WHERE action = 'resend'") == []


def test_resend_of_a_sent_message_is_illegal(store: Store) -> None:
    line = add_line(store, 1)
    queue(store)
    message_id = send(store, line)
    with pytest.raises(IllegalTransition, match="sent to queued"):
        store.outbox.resend(message_id, "alice")
    assert status(store, message_id) == "sent"


@pytest.mark.parametrize("action", ["retry", "unknown"])
def test_part_outcomes_on_a_sent_message_are_illegal_and_change_nothing(
        store: Store, action: str) -> None:
    line = add_line(store, 1)
    queue(store)
    message_id = send(store, line, mr=9)
    part_id = parts(store, message_id)[0]["id"]
    call: Callable[[], None] = {
        "retry": lambda: store.outbox.part_retry(message_id, part_id, timedelta(0), "r",
                                                 attempt=True),
        "unknown": lambda: store.outbox.part_unknown(message_id, part_id, "r", attempt=True),
    }[action]
    with pytest.raises(IllegalTransition, match=f"part {part_id} cannot go from sent"):
        call()
    assert status(store, message_id) == "sent"
    assert [(p["status"], p["mr"], p["error"]) for p in parts(store, message_id)] == [
        ("sent", 9, None)]  # the part update was rolled back too


def test_a_delivered_message_cannot_fail_or_go_back(store: Store) -> None:
    line = add_line(store, 1)
    message_id = _delivered(store, line)
    part_id = parts(store, message_id)[0]["id"]
    for call in (lambda: store.outbox.part_failed(message_id, part_id, "r", attempt=True),
                 lambda: store.outbox.part_unknown(message_id, part_id, "r", attempt=True),
                 lambda: store.outbox.release(message_id, "r")):
        with pytest.raises(IllegalTransition):
            call()
    assert status(store, message_id) == "delivered"


def test_a_queued_message_cannot_be_sent_without_sending(store: Store) -> None:
    """queued -> sent skips the commit that makes a crash `unknown`."""
    add_line(store, 1)
    message_id = queue(store)
    part_id = parts(store, message_id)[0]["id"]
    with pytest.raises(IllegalTransition, match="queued to sent"):
        store.outbox.part_sent(message_id, part_id, 3, attempt=True)
    assert parts(store, message_id)[0]["status"] == "queued"


def test_an_unknown_message_goes_to_failed_or_queued_only(store: Store) -> None:
    line = add_line(store, 1)
    message_id = queue(store)
    part = claim(store, line).parts[0]
    store.outbox.part_sending(part.id, line)
    store.outbox.part_unknown(message_id, part.id, "timeout", attempt=True)
    with pytest.raises(IllegalTransition, match="unknown to sent"):
        store.outbox.part_sent(message_id, part.id, 1, attempt=True)


def test_part_sending_on_an_already_sent_part_raises(store: Store) -> None:
    line = add_line(store, 1)
    queue(store)
    message_id = send(store, line, mr=4)
    part_id = parts(store, message_id)[0]["id"]
    with pytest.raises(IllegalTransition):
        store.outbox.part_sending(part_id, line)


def test_resend_of_a_message_being_sent_is_illegal(store: Store) -> None:
    line = add_line(store, 1)
    message_id = queue(store, LONG)
    claimed = claim(store, line)
    store.outbox.part_sending(claimed.parts[0].id, line)
    with pytest.raises(IllegalTransition):
        store.outbox.resend(message_id, "alice")


def test_unknown_message_ids_are_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="modemd outbox"):
        store.outbox.resend(12345, "alice")


@pytest.mark.parametrize("how", ["unknown", "failed"])
def test_resend_requeues_with_an_audit_row(store: Store, how: str) -> None:
    line = add_line(store, 1)
    message_id = queue(store, LONG)
    claimed = claim(store, line)
    first, second, _third = claimed.parts
    store.outbox.part_sending(first.id, line)
    store.outbox.part_sent(message_id, first.id, 10, attempt=True)
    store.outbox.part_sending(second.id, line)
    if how == "unknown":
        store.outbox.part_unknown(message_id, second.id, "timeout", attempt=True)
    else:
        store.outbox.part_failed(message_id, second.id, "+CMS ERROR: 21", attempt=True)
    assert status(store, message_id) == how
    store.outbox.resend(message_id, "carol")
    row = message_row(store, message_id)
    assert (row["status"], row["error"], row["next_attempt_at"]) == ("queued", None, None)
    assert [(p["status"], p["mr"]) for p in parts(store, message_id)] == [
        ("sent", 10), ("queued", None), ("queued", None)]  # what went out stays out
    assert store.database.query(
        "SELECT operator, message_id FROM audit WHERE action = 'resend'") == [
        {"operator": "carol", "message_id": message_id}]
    again = claim(store, line)
    assert [p.seq for p in again.parts] == [2, 3]
    for mr, part in enumerate(again.parts, start=11):
        store.outbox.part_sending(part.id, line)
        store.outbox.part_sent(message_id, part.id, mr, attempt=True)
    assert status(store, message_id) == "sent"


def test_recover_interrupted(open_store: Callable[[], Store]) -> None:
    store = open_store()
    line = add_line(store, 1)
    mid_part = queue(store, "one")  # PDU written, no answer: may have gone out
    between = queue(store, LONG)  # part 1 answered, part 2 not started
    waiting = queue(store, "three")  # never claimed
    part = claim(store, line).parts[0]
    store.outbox.part_sending(part.id, line)
    store.outbox.part_payload(part.id)
    claimed = claim(store, line)
    store.outbox.part_sending(claimed.parts[0].id, line)
    store.outbox.part_payload(claimed.parts[0].id)
    store.outbox.part_sent(between, claimed.parts[0].id, 42, attempt=True)
    store.close()  # kill -9

    restarted = open_store()
    assert restarted.outbox.recover_interrupted() == [mid_part]
    row = message_row(restarted, mid_part)
    assert row["status"] == "unknown" and "may have been sent" in row["error"]
    assert row["attempts"] == 1
    assert parts(restarted, mid_part)[0]["status"] == "unknown"
    assert status(restarted, between) == "queued"
    assert status(restarted, waiting) == "queued"
    resumed = claim(restarted, line)
    assert resumed.message_id == between
    assert [p.seq for p in resumed.parts] == [2, 3]  # part 1 is not sent twice
    assert claim(restarted, line).message_id == waiting
    assert claim(restarted, line) is None  # unknown is never resent automatically
    assert restarted.outbox.recover_interrupted() == []  # nothing left to recover


def test_a_crash_before_the_pdu_byte_puts_the_part_back_in_the_queue(
        open_store: Callable[[], Store]) -> None:
    """AT+CMGS was written, the prompt not answered yet: nothing can have gone out."""
    store = open_store()
    line = add_line(store, 1)
    message_id = queue(store, LONG)
    claimed = claim(store, line)
    store.outbox.part_sending(claimed.parts[0].id, line)
    store.close()  # kill -9 while waiting for "> "

    restarted = open_store()
    assert restarted.outbox.recover_interrupted() == []
    row = message_row(restarted, message_id)
    assert (row["status"], row["attempts"]) == ("queued", 0)
    assert [(p["status"], p["payload_at"]) for p in parts(restarted, message_id)] == [
        ("queued", None)] * 3
    assert [p.seq for p in claim(restarted, line).parts] == [1, 2, 3]


def test_the_pdu_may_go_only_from_a_sending_part(store: Store) -> None:
    line = add_line(store, 1)
    message_id = queue(store)
    part_id = parts(store, message_id)[0]["id"]
    with pytest.raises(IllegalTransition, match=r"queued to sending|not sending"):
        store.outbox.part_payload(part_id)
    assert parts(store, message_id)[0]["payload_at"] is None
    store.outbox.part_sending(claim(store, line).parts[0].id, line)
    store.outbox.part_payload(part_id)
    assert parts(store, message_id)[0]["payload_at"] is not None


def test_recover_frees_a_claimed_but_unstarted_message_for_any_line(
        open_store: Callable[[], Store]) -> None:
    store = open_store()
    first, second = add_line(store, 1), add_line(store, 2)
    message_id = queue(store)
    assert claim(store, first).message_id == message_id  # crash before part_sending
    store.close()
    restarted = open_store()
    restarted.outbox.recover_interrupted()
    restarted.lines.set_state(first, "offline")  # that modem did not come back
    assert claim(restarted, second, healthy=[second]) is not None


def test_depth_counts_queued_and_sending(store: Store) -> None:
    line = add_line(store, 1)
    first = queue(store)
    queue(store)
    queue(store)
    assert store.outbox.depth() == 3
    claimed = claim(store, line)
    assert claimed.message_id == first
    assert store.outbox.depth() == 3
    assert store.outbox.depth(line) == 1
    store.outbox.part_sending(claimed.parts[0].id, line)
    store.outbox.part_sent(first, claimed.parts[0].id, 1, attempt=True)
    assert store.outbox.depth() == 2
    send(store, line, mr=2)
    send(store, line, mr=3)
    assert store.outbox.depth() == 0
