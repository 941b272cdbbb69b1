"""The event outbox: each change an agent watches for is one event, written in the
change's transaction (a rollback leaves none and wakes nobody), with the contract's keys;
followers are nudged after the commit; old events go with retention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from modemd.store import Store, retention
from modemd.store.db import utc_now
from modemd.wake import WatchListener

from .conftest import Clock
from .helpers import CUSTOMER, add_line, claim, delivers, queue, send, status_report

KEYS = {"event_id", "event", "at", "message", "line", "peer"}
LONG = "two parts " + "x" * 190


class Boom(Exception):
    pass


@pytest.fixture
def listener(db_path: Path, store: Store) -> Iterator[WatchListener]:
    follower = WatchListener(db_path)
    yield follower
    follower.close()


def new_events(store: Store, since: int) -> list[dict]:
    return store.events.after(since)


def summary(events: list[dict]) -> list[tuple]:
    """(kind, what changed) per event: a message's status, a line's state and reason."""
    shown = []
    for event in events:
        if event["event"] == "line":
            shown.append(("line", event["line"]["state"], event["line"]["reason"]))
        elif event["event"] == "optout":
            shown.append(("optout", event["peer"], event["opted_out"]))
        else:
            shown.append((event["event"], event["message"]["status"]))
    return shown


def test_an_enqueued_message_is_one_status_event_with_the_contract_s_keys(store: Store):
    before = store.events.last_id()
    message_id = queue(store, "Your order shipped")
    [event] = new_events(store, before)
    assert set(event) == KEYS
    assert (event["event"], event["peer"], event["line"]) == ("status", CUSTOMER, None)
    assert event["message"]["id"] == message_id
    assert (event["message"]["status"], event["message"]["text"]) == (
        "queued", "Your order shipped")
    assert datetime.fromisoformat(event["at"]) - datetime.now(UTC) < timedelta(seconds=5)


def test_a_send_is_sent_then_delivered_and_taking_it_is_no_event(store: Store, clock: Clock):
    line = add_line(store, 1)
    queue(store)
    before = store.events.last_id()
    message_id = send(store, line, mr=7)
    assert store.reports.record(line, *status_report(7)) is not None
    events = new_events(store, before)
    assert summary(events) == [("status", "sent"), ("status", "delivered")]
    assert {e["message"]["id"] for e in events} == {message_id}
    assert all(set(e) == KEYS for e in events)


def test_a_retry_back_to_the_queue_is_no_event(store: Store, clock: Clock):
    line = add_line(store, 1)
    queue(store)
    before = store.events.last_id()
    claimed = claim(store, line)
    assert claimed is not None
    part = claimed.parts[0]
    store.outbox.part_sending(part.id, line)
    store.outbox.part_retry(claimed.message_id, part.id, timedelta(seconds=5), "busy",
                            attempt=True)
    assert new_events(store, before) == []


def test_a_complete_inbound_text_is_one_inbound_event(store: Store):
    line = add_line(store, 1)
    before = store.events.last_id()
    [(pdu, deliver)] = delivers(CUSTOMER, "Where is my order?")
    recorded = store.inbox.record(line, pdu, deliver)
    [event] = new_events(store, before)
    assert set(event) == KEYS
    assert (event["event"], event["peer"]) == ("inbound", CUSTOMER)
    message = event["message"]
    assert (message["id"], message["status"], message["text"], message["direction"]) == (
        recorded.message_id, "received", "Where is my order?", "in")
    assert message["read_at"] is None


def test_two_parts_incomplete_then_completed_by_the_late_one_are_two_events(
        store: Store, clock: Clock):
    line = add_line(store, 1)
    first, second = delivers(CUSTOMER, LONG, reference=5)
    before = store.events.last_id()
    store.inbox.record(line, *first)
    assert new_events(store, before) == [], "a part alone is no message yet"
    clock.advance(timedelta(minutes=11))
    [made] = store.inbox.flush_incomplete(timedelta(minutes=10))
    clock.advance(timedelta(minutes=5))
    assert store.inbox.record(line, *second).kind == "merged"
    incomplete, completed = new_events(store, before)
    assert summary([incomplete, completed]) == [("inbound", "incomplete"),
                                                 ("inbound", "received")]
    assert (incomplete["message"]["parts_received"], incomplete["message"]["parts"]) == (1, 2)
    assert completed["message"]["id"] == made and completed["message"]["text"] == LONG


def test_a_stop_is_the_inbound_message_then_the_opt_out(store: Store):
    line = add_line(store, 1)
    before = store.events.last_id()
    [(pdu, deliver)] = delivers(CUSTOMER, "Stop")
    stop = store.inbox.record(line, pdu, deliver).message_id
    inbound, optout = new_events(store, before)
    assert (inbound["event"], inbound["message"]["id"]) == ("inbound", stop)
    assert set(optout) == KEYS | {"opted_out"}
    assert (optout["event"], optout["peer"], optout["opted_out"]) == ("optout", CUSTOMER, True)
    assert optout["message"]["id"] == stop and optout["message"]["keyword"] == "stop"


def test_an_agent_s_opt_out_and_opt_in_are_events_and_a_repeat_is_none(store: Store):
    before = store.events.last_id()
    store.optouts.add(CUSTOMER, "alice")
    store.optouts.add(CUSTOMER, "bob")  # already opted out: nothing changes
    store.optouts.remove(CUSTOMER, "alice")
    store.optouts.remove(CUSTOMER, "alice")  # not opted out any more
    events = new_events(store, before)
    assert summary(events) == [("optout", CUSTOMER, True), ("optout", CUSTOMER, False)]
    assert all(e["message"] is None and e["line"] is None for e in events)


def test_a_queued_message_failed_by_an_opt_out_is_a_status_event_too(store: Store):
    queue(store)
    before = store.events.last_id()
    store.optouts.add(CUSTOMER, "alice")
    events = new_events(store, before)
    assert summary(events) == [("status", "failed"), ("optout", CUSTOMER, True)]


def test_a_line_event_for_each_new_state_or_reason_and_none_for_a_repeat(store: Store):
    before = store.events.last_id()
    line = add_line(store, 1, name="desk-1")  # registered, then `ok`
    store.lines.set_state(line, "ok")
    store.lines.set_state(line, "paused", "no SMS centre number")
    store.lines.set_state(line, "paused", "no SMS centre number")
    store.lines.set_state(line, "paused", "SIM barred")
    events = new_events(store, before)
    assert summary(events) == [("line", "ok", None),
                               ("line", "paused", "no SMS centre number"),
                               ("line", "paused", "SIM barred")]
    assert set(events[0]) == KEYS and events[0]["message"] is None
    assert (events[0]["line"]["id"], events[0]["line"]["name"]) == (line, "desk-1")
    assert events[0]["line"]["own_number"] == "+15551000001"


def test_a_rolled_back_change_leaves_no_event_and_wakes_nobody(store: Store,
                                                                listener: WatchListener):
    before = store.events.last_id()
    with pytest.raises(Boom), store.database.write():
        queue(store, "never queued")
        raise Boom
    assert new_events(store, before) == []
    assert listener.wait(0.2) is False
    queue(store, "queued")
    assert listener.wait(1.0) is True
    assert summary(new_events(store, before)) == [("status", "queued")]


def test_a_write_without_events_wakes_nobody(store: Store, listener: WatchListener):
    store.contacts.add(CUSTOMER, "Alice", operator="alice")
    assert listener.wait(0.2) is False


def test_every_follower_is_woken_by_another_process_s_commit(
        open_store, db_path: Path, listener: WatchListener):
    other = WatchListener(db_path)
    try:
        queue(open_store(), "from another connection")
        assert (listener.wait(1.0), other.wait(1.0)) == (True, True)
        assert (listener.wait(0.1), other.wait(0.1)) == (False, False), "one nudge, taken"
    finally:
        other.close()


def test_a_follower_that_died_is_removed_by_the_next_nudge(store: Store, db_path: Path):
    dead = WatchListener(db_path)
    dead.sock.close()  # killed: its socket file stays, nobody reads it
    assert dead.path.exists()
    queue(store)
    assert not dead.path.exists()


def test_a_follower_s_socket_is_writable_by_the_database_s_group(listener: WatchListener):
    # the daemon runs as its own user in the agents' group (systemd/modemd.service)
    assert listener.path.stat().st_mode & 0o777 == 0o660


def test_a_failing_nudge_never_fails_the_committed_write(store: Store,
                                                          monkeypatch: pytest.MonkeyPatch):
    def broken() -> None:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(store.database, "on_events", broken)
    message_id = queue(store)
    assert store.events.after(0)[-1]["message"]["id"] == message_id


def test_ids_increase_and_after_resumes_where_a_follower_left_off(store: Store):
    ids = [queue(store, f"message {n}") for n in range(4)]
    events = store.events.after(0)
    event_ids = [e["event_id"] for e in events]
    assert event_ids == sorted(event_ids) and len(set(event_ids)) == 4
    assert store.events.last_id() == event_ids[-1]
    resumed = store.events.after(event_ids[1])
    assert [e["message"]["id"] for e in resumed] == ids[2:]
    assert store.events.after(event_ids[-1]) == []
    assert [e["event_id"] for e in store.events.after(0, limit=2)] == event_ids[:2]


def test_old_events_go_with_retention_and_ids_keep_growing(store: Store,
                                                            monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("modemd.store.events.utc_now", lambda: utc_now() - timedelta(days=40))
    queue(store, "old")
    queue(store, "old too")
    monkeypatch.undo()
    queue(store, "today")
    assert retention.prunable(store.database, 30)["events"] == 2
    assert retention.prune(store.database, 30)["events"] == 2
    [left] = store.events.after(0)
    assert left["message"]["text"] == "today"
    latest = store.events.last_id()
    queue(store, "after the prune")
    assert store.events.last_id() > latest
    assert retention.prune(store.database, 30)["events"] == 0
