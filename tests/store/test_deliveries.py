"""Deliveries to webhooks and hooks: fan-out from the event outbox with a cursor per
target (first seen: from now on), in order per peer, backoff, failed once the retry
window after the event is over, an agent's retry, retention, and the counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from modemd.store import EventKind, IllegalTransition, NotFound, Store, retention
from modemd.store.deliveries import backoff
from modemd.store.events import record
from modemd.store.states import DeliveryStatus

from .helpers import CUSTOMER, OTHER

HOOK = '["/usr/local/bin/on-sms"]'
URL = "http://127.0.0.1:9/modemd"
EVERY = [kind.value for kind in EventKind]
WINDOW = timedelta(hours=24)


def event(store: Store, kind: EventKind = EventKind.INBOUND, peer: str | None = CUSTOMER) -> int:
    with store.database.write() as conn:
        record(conn, kind, peer=peer)
    return store.events.last_id()


def later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def due_events(store: Store, target: str = URL, seconds: float = 0) -> list[int]:
    return [due.event_id for due in store.deliveries.due(target, later(seconds))]


def status_of(store: Store, delivery_id: int) -> dict:
    row = store.database.one("SELECT * FROM deliveries WHERE id = ?", (delivery_id,))
    assert row is not None
    return row


@pytest.fixture
def seen(store: Store) -> Store:
    """The webhook target already seen once: its cursor is at the newest event."""
    assert store.deliveries.fan_out(URL, EVERY) == 0
    return store


def test_a_target_seen_first_starts_at_the_newest_event_and_replays_no_history(
        store: Store) -> None:
    event(store)
    event(store)
    assert store.deliveries.fan_out(URL, EVERY) == 0  # the history is not replayed
    assert due_events(store) == []
    newer = event(store)
    assert store.deliveries.fan_out(URL, EVERY) == 1
    assert due_events(store) == [newer]


def test_fan_out_takes_the_kinds_asked_for_once_and_moves_past_the_others(seen: Store) -> None:
    inbound = event(seen, EventKind.INBOUND)
    event(seen, EventKind.LINE, peer=None)
    assert seen.deliveries.fan_out(URL, ["inbound"]) == 1
    assert seen.deliveries.fan_out(URL, ["inbound"]) == 0  # nothing twice
    assert seen.deliveries.fan_out(URL, EVERY) == 0  # the cursor passed the line event
    assert due_events(seen) == [inbound]
    row = seen.database.one("SELECT last_event_id FROM delivery_cursors WHERE target = ?",
                            (URL,))
    assert row == {"last_event_id": seen.events.last_id()}


def test_each_target_has_its_own_cursor(seen: Store) -> None:
    seen.deliveries.fan_out(HOOK, EVERY)
    first = event(seen, peer=CUSTOMER)
    seen.deliveries.fan_out(URL, EVERY)
    second = event(seen, peer=OTHER)
    seen.deliveries.fan_out(HOOK, EVERY)
    seen.deliveries.fan_out(URL, EVERY)
    assert due_events(seen, URL) == [first, second]
    assert due_events(seen, HOOK) == [first, second]


def test_only_each_peers_oldest_is_due_and_a_peer_in_backoff_holds_back_only_itself(
        seen: Store) -> None:
    a1, b1, line, a2, b2 = (event(seen, peer=CUSTOMER), event(seen, peer=OTHER),
                            event(seen, EventKind.LINE, peer=None), event(seen, peer=CUSTOMER),
                            event(seen, peer=OTHER))
    seen.deliveries.fan_out(URL, EVERY)
    heads = seen.deliveries.due(URL, later(0))
    assert [due.event_id for due in heads] == [a1, b1, line]  # one per queue, oldest first
    first = {due.event_id: due for due in heads}
    assert seen.deliveries.attempt_failed(first[a1].id, "HTTP 503", WINDOW) is \
        DeliveryStatus.PENDING
    seen.deliveries.delivered(first[b1].id)
    seen.deliveries.delivered(first[line].id)
    assert due_events(seen) == [b2]  # CUSTOMER waits behind a1's backoff; OTHER goes on
    assert due_events(seen, seconds=6) == [a1, b2]  # a1 first again, before a2
    assert a2 not in due_events(seen, seconds=3600)


def test_retries_back_off_doubling_to_ten_minutes() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 8, 50)] == [
        5, 10, 20, 40, 600, 600]


def test_a_delivery_fails_once_the_window_after_its_event_is_over(seen: Store) -> None:
    event_id = event(seen)
    seen.deliveries.fan_out(URL, EVERY)
    delivery = seen.deliveries.due(URL, later(0))[0].id
    near_end = later(WINDOW.total_seconds() - 2)
    assert seen.deliveries.attempt_failed(delivery, "HTTP 500", WINDOW, near_end) is \
        DeliveryStatus.PENDING
    row = status_of(seen, delivery)
    assert row["attempts"] == 1
    end = datetime.fromisoformat(row["next_attempt_at"])
    assert end < near_end + timedelta(seconds=5)  # the last try falls at the window's end
    assert seen.deliveries.attempt_failed(delivery, "HTTP 502 Bad Gateway", WINDOW,
                                          later(WINDOW.total_seconds() + 1)) is \
        DeliveryStatus.FAILED
    row = status_of(seen, delivery)
    assert (row["status"], row["attempts"], row["last_error"]) == (
        "failed", 2, "HTTP 502 Bad Gateway")
    assert due_events(seen, seconds=10**6) == []
    listed = seen.deliveries.listing()
    assert [(r["event_id"], r["event"], r["status"], r["kind"]) for r in listed] == [
        (event_id, "inbound", "failed", "webhook")]


def test_a_failed_one_no_longer_holds_back_its_peer(seen: Store) -> None:
    first, second = event(seen), event(seen)
    seen.deliveries.fan_out(URL, EVERY)
    head = seen.deliveries.due(URL, later(0))[0]
    seen.deliveries.attempt_failed(head.id, "gone", timedelta(0))
    assert due_events(seen) == [second]
    assert head.event_id == first


def test_retry_makes_a_failed_delivery_due_now_and_is_audited(seen: Store) -> None:
    event(seen)
    seen.deliveries.fan_out(URL, EVERY)
    delivery = seen.deliveries.due(URL, later(0))[0].id
    seen.deliveries.attempt_failed(delivery, "HTTP 503", timedelta(0))
    before = seen.deliveries.retry(delivery, "alice")
    assert before["status"] == "failed"
    assert [due.id for due in seen.deliveries.due(URL, later(0))] == [delivery]
    audit = seen.database.one("SELECT operator, action, detail FROM audit ORDER BY id DESC")
    assert audit is not None and audit["operator"] == "alice"
    assert f"delivery {delivery}" in audit["detail"] and "was failed" in audit["detail"]
    seen.deliveries.delivered(delivery)
    with pytest.raises(IllegalTransition, match="delivered already"):
        seen.deliveries.retry(delivery, "alice")
    with pytest.raises(NotFound, match="modemd hooks"):
        seen.deliveries.retry(9999, "alice")


def test_delivered_counts_the_attempt_and_clears_the_error(seen: Store) -> None:
    event(seen)
    seen.deliveries.fan_out(URL, EVERY)
    delivery = seen.deliveries.due(URL, later(0))[0].id
    seen.deliveries.attempt_failed(delivery, "HTTP 503", WINDOW)
    seen.deliveries.delivered(delivery)
    row = status_of(seen, delivery)
    assert (row["status"], row["attempts"], row["last_error"]) == ("delivered", 2, None)
    assert row["delivered_at"] is not None
    assert seen.deliveries.listing() == []
    assert seen.deliveries.next_due(URL) is None


def test_next_due_is_the_earliest_head(seen: Store) -> None:
    event(seen, peer=CUSTOMER)
    event(seen, peer=CUSTOMER)
    seen.deliveries.fan_out(URL, EVERY)
    head = seen.deliveries.due(URL, later(0))[0]
    seen.deliveries.attempt_failed(head.id, "down", WINDOW)
    soon = seen.deliveries.next_due(URL)
    assert soon is not None and later(4) < soon < later(6)  # not the second one, due now


def test_counts_by_target_kind_and_status(seen: Store) -> None:
    seen.deliveries.fan_out(HOOK, EVERY)
    event(seen)
    seen.deliveries.fan_out(URL, EVERY)
    seen.deliveries.fan_out(HOOK, EVERY)
    seen.deliveries.delivered(seen.deliveries.due(HOOK, later(0))[0].id)
    assert seen.deliveries.counts() == {("webhook", "pending"): 1, ("hook", "delivered"): 1}


def test_retention_keeps_the_events_pending_deliveries_need(seen: Store) -> None:
    pending, done = event(seen, peer=CUSTOMER), event(seen, peer=OTHER)
    seen.deliveries.fan_out(URL, EVERY)
    seen.deliveries.delivered(next(d.id for d in seen.deliveries.due(URL, later(0))
                                   if d.event_id == done))
    future = datetime.now(UTC) + timedelta(days=31)
    assert retention.prunable(seen.database, 30, future)["deliveries"] == 1
    pruned = retention.prune(seen.database, 30, future)
    assert (pruned["deliveries"], pruned["events"]) == (1, 1)
    assert [e["event_id"] for e in seen.events.after(0)] == [pending]
    assert [d.event_id for d in seen.deliveries.due(URL, future)] == [pending]


def test_a_target_no_longer_configured_has_its_pending_deliveries_failed(seen: Store) -> None:
    assert seen.deliveries.fan_out(HOOK, EVERY) == 0
    first, second = event(seen), event(seen, peer=OTHER)
    seen.deliveries.fan_out(URL, EVERY), seen.deliveries.fan_out(HOOK, EVERY)
    assert seen.deliveries.abandon([HOOK]) == 2  # the webhook was taken out of the config
    failed = [row for row in seen.deliveries.listing() if row["target"] == URL]
    assert [(row["event_id"], row["status"]) for row in failed] == [
        (first, DeliveryStatus.FAILED), (second, DeliveryStatus.FAILED)]
    assert all(row["last_error"].startswith("the target is no longer configured")
               for row in failed)
    assert due_events(seen, HOOK) == [first, second]  # the hook still configured: untouched
    assert seen.deliveries.abandon([HOOK]) == 0
    event(seen)
    assert seen.deliveries.fan_out(URL, EVERY) == 0  # configured again: new events only
