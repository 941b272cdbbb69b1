"""What agents see: the documented message object, lists, threads, one message, lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from modemd.store import Store
from modemd.store.views import message_object

from .conftest import Clock
from .helpers import CUSTOMER, OTHER, add_line, delivers, queue, send, status_report

CONTRACT_KEYS = {"id", "direction", "peer", "contact", "line", "text", "status", "parts",
                 "encoding", "operator", "created_at", "scheduled_for", "sent_at",
                 "delivered_at", "error"}


def is_utc_iso(value: str) -> bool:
    return value.endswith("Z") and datetime.fromisoformat(value).utcoffset() == timedelta(0)


def test_an_outbound_message_object_has_exactly_the_contract_keys(store: Store) -> None:
    line = add_line(store, 1)
    message_id = queue(store, "hello", operator="alice")
    [queued] = store.views.messages("out")
    assert set(queued) == CONTRACT_KEYS
    assert queued == {"id": message_id, "direction": "out", "peer": CUSTOMER, "contact": None,
                      "line": None,
                      "text": "hello", "status": "queued", "parts": 1, "encoding": "gsm7",
                      "operator": "alice", "created_at": queued["created_at"],
                      "scheduled_for": None, "sent_at": None, "delivered_at": None,
                      "error": None}  # null, not omitted
    send(store, line, mr=4)
    pdu, report = status_report(4)
    store.reports.record(line, pdu, report)
    [done] = store.views.messages("out")
    assert (done["line"], done["status"]) == ("+15551000001", "delivered")
    for key in ("created_at", "sent_at", "delivered_at"):
        assert is_utc_iso(done[key]), (key, done[key])
    assert done["created_at"] <= done["sent_at"] <= done["delivered_at"]
    json.dumps(done)  # JSON-ready as it is


def test_an_inbound_message_object_adds_parts_received(store: Store) -> None:
    line = add_line(store, 1)
    [(pdu, deliver)] = delivers(CUSTOMER, "hi there")
    store.inbox.record(line, pdu, deliver)
    [shown] = store.views.messages("in")
    assert set(shown) == CONTRACT_KEYS | {"parts_received", "keyword", "read_at"}
    assert (shown["direction"], shown["peer"], shown["line"], shown["text"], shown["status"],
            shown["parts"], shown["parts_received"]) == (
        "in", CUSTOMER, "+15551000001", "hi there", "received", 1, 1)
    assert is_utc_iso(shown["created_at"])
    assert shown["sent_at"] is None and shown["operator"] is None


def test_line_is_own_number_else_name_else_imsi(store: Store) -> None:
    numbered = add_line(store, 1, name="desk-1")
    named = add_line(store, 2, own_number=None, name="desk-2")
    bare = add_line(store, 3, own_number=None)
    for line in (numbered, named, bare):
        queue(store, f"via {line}", line=line)
    shown = {m["text"]: m["line"] for m in store.views.messages("out")}
    assert shown == {f"via {numbered}": "+15551000001", f"via {named}": "desk-2",
                     f"via {bare}": "310000000000003"}


def test_message_object_of_a_plain_row() -> None:
    shown = message_object({"id": 1, "direction": "out"})
    assert set(shown) == CONTRACT_KEYS and shown["text"] is None


def test_outbox_and_inbox_are_newest_first_and_filterable(store: Store) -> None:
    line = add_line(store, 1)
    ids = [queue(store, f"out {n}", to=CUSTOMER if n % 2 else OTHER) for n in range(4)]
    assert [m["id"] for m in store.views.messages("out")] == ids[::-1]
    assert [m["id"] for m in store.views.messages("out", limit=2)] == ids[:1:-1]
    assert [m["id"] for m in store.views.messages("out", peer=CUSTOMER)] == [ids[3], ids[1]]
    for n in range(3):
        [(pdu, deliver)] = delivers(CUSTOMER, f"in {n}")
        store.inbox.record(line, pdu, deliver)
    assert [m["text"] for m in store.views.messages("in")] == ["in 2", "in 1", "in 0"]
    send(store, line)
    assert [m["id"] for m in store.views.messages("out", status="sent")] == [ids[0]]


def test_thread_is_both_directions_oldest_first(store: Store, clock: Clock) -> None:
    line = add_line(store, 1)
    [(pdu, deliver)] = delivers(CUSTOMER, "hello, anyone there?")
    store.inbox.record(line, pdu, deliver)
    clock.advance(timedelta(minutes=1))
    queue(store, "yes, how can I help?")
    queue(store, "not in this thread", to=OTHER)
    clock.advance(timedelta(minutes=1))
    [(pdu, deliver)] = delivers(CUSTOMER, "my order", timestamp=datetime(2026, 11, 27, tzinfo=UTC))
    store.inbox.record(line, pdu, deliver)
    thread = store.views.thread(CUSTOMER)
    assert [(m["direction"], m["text"]) for m in thread] == [
        ("in", "hello, anyone there?"), ("out", "yes, how can I help?"), ("in", "my order")]


def test_message_shows_inbound_parts(store: Store) -> None:
    line = add_line(store, 1)
    pieces = delivers(CUSTOMER, "p" * 300, reference=12)
    for piece in reversed(pieces):
        recorded = store.inbox.record(line, *piece)
    shown = store.views.message(recorded.message_id)
    assert shown["text"] == "p" * 300
    assert [(p["seq"], p["total"], p["reference"], p["wide"]) for p in shown["part_list"]] == [
        (1, 2, 12, 0), (2, 2, 12, 0)]
    assert store.views.message(9999) is None


def test_lines_have_queue_depth(store: Store) -> None:
    one, two = add_line(store, 1), add_line(store, 2)
    queue(store, "a", line=one)
    queue(store, "b", line=one)
    queue(store, "c", line=two)
    queue(store, "unassigned")
    send(store, two)  # sent: no longer in the queue
    depth = {row["id"]: row["queue_depth"] for row in store.views.lines()}
    assert depth == {one: 2, two: 0}
    assert store.views.unassigned_queue() == 1
    row = store.views.lines()[0]
    assert (row["iccid"], row["imei"], row["port"], row["state"]) == (
        "8901000000000000001", "350000000000001", "/dev/ttyUSB1", "ok")


def test_one_message_is_shown_as_of_one_moment(open_store) -> None:
    """Found by the soak: `show` read the message and its parts in separate reads, so a
    report committed between them showed every part delivered and the message `sent`."""
    import threading  # noqa: PLC0415

    daemon, agent = open_store(), open_store()  # two connections, as two processes
    line = add_line(daemon, 1)
    seen: list[tuple[str, list[str]]] = []
    done = threading.Event()

    def report_all() -> None:
        for round_ in range(40):
            queue(daemon, "x" * 400)  # three parts
            send(daemon, line, mr=3 * round_)  # parts get MRs 3r, 3r+1, 3r+2
            for offset in range(3):
                pdu, report = status_report(3 * round_ + offset)
                daemon.reports.record(line, pdu, report)
        done.set()

    writer = threading.Thread(target=report_all)
    writer.start()
    while not done.is_set():
        for row in agent.views.messages("out", limit=3):
            shown = agent.views.message(row["id"])
            seen.append((shown["status"], [p["status"] for p in shown["part_list"]]))
    writer.join()
    torn = [s for s in seen if s[1] == ["delivered"] * 3 and s[0] != "delivered"]
    assert len(seen) > 100 and torn == []
