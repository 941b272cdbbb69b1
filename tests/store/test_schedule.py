"""Scheduled messages join the queue at their time; an agent cancels what no line took."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from modemd.errors import InvalidInputError
from modemd.store import IllegalTransition, NotFound, Store, prepare
from modemd.store.db import iso
from modemd.store.retention import prune

from .helpers import CUSTOMER, OTHER, add_line, claim, delivers, parts, queue, send, status

T = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
LONG = "x" * 400  # three GSM-7 parts


def scheduled(store: Store, at: datetime, text: str = "hello", to: str = CUSTOMER) -> int:
    return store.outbox.enqueue(prepare(to, text, operator="alice"), scheduled_for=iso(at))


def status_events(store: Store, message_id: int) -> list[str]:
    return [event["message"]["status"] for event in store.events.after(0)
            if event["event"] == "status" and event["message"]["id"] == message_id]


def test_release_moves_only_the_scheduled_messages_whose_time_has_come(store: Store) -> None:
    early, on_time = scheduled(store, T - timedelta(minutes=5)), scheduled(store, T)
    later, waiting = scheduled(store, T + timedelta(seconds=1)), queue(store)
    assert store.schedule.release_due(T - timedelta(hours=1)) == []
    assert store.schedule.release_due(T) == [early, on_time]
    assert [status(store, m) for m in (early, on_time, later, waiting)] == [
        "queued", "queued", "scheduled", "queued"]
    assert store.schedule.scheduled() == [(later, iso(T + timedelta(seconds=1)))]
    assert store.schedule.release_due(T) == []  # nothing twice
    assert status_events(store, early) == ["scheduled", "queued"]


def test_a_scheduled_message_is_no_line_s_until_released(store: Store) -> None:
    line = add_line(store, 1)
    message_id = scheduled(store, datetime.now(UTC) + timedelta(hours=1))
    assert claim(store, line) is None
    assert store.outbox.depth() == 0  # not in any line's queue yet
    store.schedule.release_due(datetime.now(UTC) + timedelta(hours=2))
    assert claim(store, line).message_id == message_id


@pytest.mark.parametrize("when", ["scheduled", "queued"])
def test_cancel_cancels_the_message_and_its_parts_and_audits_who(store: Store,
                                                                 when: str) -> None:
    message_id = (scheduled(store, T, LONG) if when == "scheduled"
                  else queue(store, LONG))
    store.schedule.cancel(message_id, "bob")
    assert status(store, message_id) == "cancelled"
    assert [p["status"] for p in parts(store, message_id)] == ["cancelled"] * 3
    [audit] = store.views.audit(operator="bob")
    detail = f"was scheduled for {iso(T)}" if when == "scheduled" else "was queued"
    assert (audit["action"], audit["message_id"], audit["detail"]) == (
        "cancel", message_id, detail)
    assert store.views.message(message_id)["error"] == "cancelled by bob"
    assert status_events(store, message_id)[-1] == "cancelled"
    assert store.schedule.release_due(T + timedelta(days=1)) == []
    assert store.schedule.scheduled() == []


def test_a_message_a_line_took_cannot_be_cancelled(store: Store) -> None:
    line = add_line(store, 1)
    message_id = queue(store)
    claim(store, line)
    with pytest.raises(IllegalTransition) as refused:
        store.schedule.cancel(message_id, "bob")
    assert str(refused.value) == (f"message {message_id} is sending: a part may already be "
                                  "on the air; it can no longer be cancelled")
    assert status(store, message_id) == "sending"
    assert [a["action"] for a in store.views.audit()] == ["send"]


def test_sent_failed_and_cancelled_messages_cannot_be_cancelled(store: Store) -> None:
    line = add_line(store, 1)
    sent = queue(store)
    send(store, line)
    failed = queue(store, to=OTHER)
    store.optouts.add(OTHER, "carol")
    cancelled = queue(store)
    store.schedule.cancel(cancelled, "bob")
    for message_id, was in ((sent, "sent"), (failed, "failed")):
        with pytest.raises(IllegalTransition, match=(
                f"^message {message_id} is {was}: only a scheduled or queued message can be "
                "cancelled, before any part went out$")):
            store.schedule.cancel(message_id, "bob")
        assert status(store, message_id) == was
    with pytest.raises(IllegalTransition, match=f"message {cancelled} is already cancelled"):
        store.schedule.cancel(cancelled, "bob")
    assert [a["action"] for a in store.views.audit(operator="bob")] == ["cancel"]


def test_a_queued_message_with_a_part_out_cannot_be_cancelled(store: Store) -> None:
    line = add_line(store, 1)
    message_id = queue(store, LONG)
    first = claim(store, line).parts[0]
    store.outbox.part_sending(first.id, line)
    store.outbox.part_sent(message_id, first.id, 7, attempt=True)
    store.outbox.release(message_id, "stopping")  # the daemon stopped between parts
    assert status(store, message_id) == "queued"
    with pytest.raises(IllegalTransition, match=(
            f"message {message_id} has 1 of 3 parts already out: the rest must follow")):
        store.schedule.cancel(message_id, "bob")
    assert [p["status"] for p in parts(store, message_id)] == ["sent", "queued", "queued"]


def test_cancel_of_an_unknown_or_inbound_id_says_so(store: Store) -> None:
    with pytest.raises(NotFound, match="no message 999: check the id with `modemd outbox`"):
        store.schedule.cancel(999, "bob")
    line = add_line(store, 1)
    [(pdu, deliver)] = delivers(CUSTOMER, "hi there")
    inbound = store.inbox.record(line, pdu, deliver).message_id
    assert inbound is not None
    with pytest.raises(InvalidInputError, match=f"message {inbound} is one we received"):
        store.schedule.cancel(inbound, "bob")
    assert store.views.audit(operator="bob") == []


def test_an_opt_out_fails_a_scheduled_message(store: Store) -> None:
    message_id = scheduled(store, T, LONG)
    store.optouts.add(CUSTOMER, "carol")
    assert status(store, message_id) == "failed"
    assert {p["status"] for p in parts(store, message_id)} == {"failed"}
    assert store.schedule.scheduled() == []
    assert store.schedule.release_due(T + timedelta(days=1)) == []


def test_a_restarted_process_finds_what_is_scheduled(open_store: Callable[[], Store]) -> None:
    first = open_store()
    message_id = scheduled(first, T)
    first.close()
    again = open_store()
    assert again.schedule.scheduled() == [(message_id, iso(T))]
    assert again.schedule.release_due(T) == [message_id]


def test_retention_prunes_old_cancelled_messages_and_keeps_scheduled_ones(store: Store) -> None:
    cancelled = queue(store)
    store.schedule.cancel(cancelled, "bob")
    waiting = scheduled(store, datetime.now(UTC) + timedelta(days=200))
    pruned = prune(store.database, 30, now=datetime.now(UTC) + timedelta(days=100))
    assert pruned["messages"] == 1
    assert [m["id"] for m in store.views.messages("out")] == [waiting]
    assert [a["action"] for a in store.views.audit()] == ["send", "cancel", "send"]
