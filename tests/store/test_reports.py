"""Delivery reports: matched per part on (line, MR, recipient), newest first; orphans kept;
pending stays pending; messages roll up from their parts; overdue is not failure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from modemd.store import Store
from modemd.store.reports import MATCH_WINDOW

from .conftest import Clock
from .helpers import (
    CUSTOMER,
    OTHER,
    add_line,
    claim,
    message_row,
    parts,
    queue,
    send,
    status,
    status_report,
)

LONG = "r" * 300  # two parts


def record(store: Store, line: int, mr: int, recipient: str = CUSTOMER, st: int = 0x00,
           after: timedelta = timedelta(seconds=3)) -> int | None:
    pdu, report = status_report(mr, recipient, status=st, discharged_after=after)
    return store.reports.record(line, pdu, report)


def test_a_report_matches_its_part_and_delivers_the_message(store: Store) -> None:
    line = add_line(store, 1)
    queue(store)
    message_id = send(store, line, mr=17)
    part_id = parts(store, message_id)[0]["id"]
    assert record(store, line, 17) == part_id
    row = message_row(store, message_id)
    assert (row["status"], row["error"]) == ("delivered", None)
    assert row["delivered_at"] is not None
    [part] = parts(store, message_id)
    assert (part["status"], part["report_status"]) == ("delivered", 0)


def test_a_nationally_written_recipient_still_matches(store: Store) -> None:
    line = add_line(store, 1)
    queue(store)
    message_id = send(store, line, mr=3)
    assert record(store, line, 3, recipient="2015550123") is not None
    assert status(store, message_id) == "delivered"


def test_mr_wrapped_the_newest_sent_part_wins(store: Store) -> None:
    line = add_line(store, 1)
    queue(store, "older")
    older = send(store, line, mr=200)
    queue(store, "newer")
    newer = send(store, line, mr=200)  # 256 sends later the MR came round
    assert record(store, line, 200) == parts(store, newer)[0]["id"]
    assert (status(store, older), status(store, newer)) == ("sent", "delivered")
    assert record(store, line, 200, after=timedelta(seconds=9)) == parts(store, older)[0]["id"]
    assert status(store, older) == "delivered"


def test_parts_older_than_the_window_are_not_matched(store: Store, clock: Clock) -> None:
    line = add_line(store, 1)
    queue(store)
    message_id = send(store, line, mr=1)
    clock.advance(MATCH_WINDOW + timedelta(minutes=1))
    assert record(store, line, 1) is None
    assert status(store, message_id) == "sent"
    assert len(store.views.orphan_reports()) == 1


@pytest.mark.parametrize("where", ["wrong line", "wrong recipient", "wrong mr"])
def test_an_unmatched_report_is_kept_as_an_orphan(store: Store, where: str) -> None:
    one, two = add_line(store, 1), add_line(store, 2)
    queue(store)
    message_id = send(store, one, mr=33)
    line, mr, recipient = {"wrong line": (two, 33, CUSTOMER),
                           "wrong recipient": (one, 33, OTHER),
                           "wrong mr": (one, 34, CUSTOMER)}[where]
    assert record(store, line, mr, recipient) is None
    assert status(store, message_id) == "sent"
    [orphan] = store.views.orphan_reports()
    assert (orphan["line_id"], orphan["mr"], orphan["recipient"], orphan["part_id"],
            orphan["outcome"]) == (line, mr, recipient, None, "delivered")
    assert orphan["pdu"]


@pytest.mark.parametrize("st", [0x20, 0x21, 0x25, 0x30, 0x3F])
def test_temporary_status_stays_pending(store: Store, st: int) -> None:
    line = add_line(store, 1)
    queue(store)
    message_id = send(store, line, mr=8)
    assert record(store, line, 8, st=st) is not None
    assert status(store, message_id) == "sent"
    [part] = parts(store, message_id)
    assert (part["status"], part["report_status"]) == ("sent", st)
    assert record(store, line, 8, st=0x00, after=timedelta(minutes=5)) is not None  # final
    assert status(store, message_id) == "delivered"


def test_all_parts_must_be_delivered(store: Store) -> None:
    line = add_line(store, 1)
    queue(store, LONG)
    message_id = send(store, line, mr=50)  # parts get MR 50 and 51
    record(store, line, 51)
    assert status(store, message_id) == "sent"
    assert message_row(store, message_id)["delivered_at"] is None
    record(store, line, 50)
    row = message_row(store, message_id)
    assert (row["status"], row["error"]) == ("delivered", None)
    assert row["delivered_at"] is not None


def test_one_failed_part_fails_the_message_naming_tp_st(store: Store) -> None:
    line = add_line(store, 1)
    queue(store, LONG)
    message_id = send(store, line, mr=60)
    record(store, line, 60)
    record(store, line, 61, st=0x45)
    row = message_row(store, message_id)
    assert row["status"] == "failed"
    assert "TP-ST" in row["error"] and "0x45" in row["error"]
    assert [p["status"] for p in parts(store, message_id)] == ["delivered", "failed"]


def test_validity_expired_is_expired(store: Store) -> None:
    line = add_line(store, 1)
    queue(store)
    message_id = send(store, line, mr=70)
    record(store, line, 70, st=0x46)
    row = message_row(store, message_id)
    assert row["status"] == "expired" and "0x46" in row["error"]


def test_a_duplicate_report_is_ignored(store: Store) -> None:
    line = add_line(store, 1)
    queue(store, "a")
    first = send(store, line, mr=90)
    queue(store, "b")
    second = send(store, line, mr=90)
    assert record(store, line, 90) == parts(store, second)[0]["id"]
    assert record(store, line, 90) is None  # the same PDU again (+CDS and SR sweep)
    assert status(store, first) == "sent"  # not matched to the older part
    assert len(store.database.query("SELECT id FROM reports")) == 1


def test_a_report_before_the_last_part_is_sent_still_rolls_up(store: Store) -> None:
    line = add_line(store, 1)
    message_id = queue(store, LONG)
    first, second = claim(store, line).parts
    store.outbox.part_sending(first.id, line)
    store.outbox.part_sent(message_id, first.id, 100, attempt=True)
    assert record(store, line, 100) == first.id  # fast network
    assert status(store, message_id) == "sending"
    store.outbox.part_sending(second.id, line)
    store.outbox.part_sent(message_id, second.id, 101, attempt=True)
    assert status(store, message_id) == "sent"
    record(store, line, 101)
    assert status(store, message_id) == "delivered"


def test_a_failure_report_before_the_last_part_is_sent_still_rolls_up(store: Store) -> None:
    line = add_line(store, 1)
    message_id = queue(store, LONG)
    first, second = claim(store, line).parts
    store.outbox.part_sending(first.id, line)
    store.outbox.part_sent(message_id, first.id, 110, attempt=True)
    record(store, line, 110, st=0x45)
    store.outbox.part_sending(second.id, line)
    store.outbox.part_sent(message_id, second.id, 111, attempt=True)
    row = message_row(store, message_id)
    assert row["status"] == "failed" and "0x45" in row["error"]


def test_a_late_report_after_failure_changes_nothing(store: Store) -> None:
    line = add_line(store, 1)
    queue(store, LONG)
    message_id = send(store, line, mr=120)
    record(store, line, 120, st=0x41)
    assert status(store, message_id) == "failed"
    record(store, line, 121)
    assert status(store, message_id) == "failed"


def test_overdue_is_delivery_unknown_not_failed(store: Store, clock: Clock) -> None:
    line = add_line(store, 1)
    queue(store, "old")
    old = send(store, line, mr=1)
    clock.advance(timedelta(hours=49))
    queue(store, "recent")
    recent = send(store, line, mr=2)
    assert store.reports.overdue(timedelta(hours=48)) == 1
    row = message_row(store, old)
    assert row["status"] == "sent"
    assert "delivery unknown" in row["error"]
    assert message_row(store, recent)["error"] is None
    assert store.reports.overdue(timedelta(hours=48)) == 0  # marked once
    record(store, line, 1)  # a very late report still counts
    row = message_row(store, old)
    assert (row["status"], row["error"]) == ("delivered", None)


def test_overdue_leaves_delivered_and_failed_alone(store: Store, clock: Clock) -> None:
    line = add_line(store, 1)
    queue(store, "a")
    delivered = send(store, line, mr=1)
    queue(store, "b")
    failed = send(store, line, mr=2)
    record(store, line, 1)
    record(store, line, 2, st=0x41)
    clock.advance(timedelta(days=30))
    assert store.reports.overdue(timedelta(hours=48)) == 0
    assert (status(store, delivered), status(store, failed)) == ("delivered", "failed")


def test_a_message_sent_after_a_retry_can_become_delivery_unknown(
        store: Store, clock: Clock) -> None:
    line = add_line(store, 1)
    message_id = queue(store)
    part = claim(store, line).parts[0]
    store.outbox.part_sending(part.id, line)
    store.outbox.part_retry(message_id, part.id, timedelta(seconds=1), "+CMS ERROR: 38",
                            attempt=True)
    clock.advance(timedelta(seconds=2))
    send(store, line, mr=5)
    assert message_row(store, message_id)["error"] is None
    clock.advance(timedelta(hours=49))
    assert store.reports.overdue(timedelta(hours=48)) == 1


def test_message_view_shows_parts_and_reports(store: Store) -> None:
    line = add_line(store, 1)
    queue(store, LONG)
    message_id = send(store, line, mr=130)
    record(store, line, 130, st=0x20)
    record(store, line, 130, after=timedelta(seconds=30))
    record(store, line, 131)
    shown = store.views.message(message_id)
    assert shown["status"] == "delivered"
    assert [(p["seq"], p["status"], p["mr"], p["report_status"]) for p in shown["part_list"]] == [
        (1, "delivered", 130, 0), (2, "delivered", 131, 0)]
    assert [(r["seq"], r["mr"], r["status"], r["outcome"]) for r in shown["reports"]] == [
        (1, 130, 0x20, "pending"), (1, 130, 0, "delivered"), (2, 131, 0, "delivered")]
    assert all(r["recipient"] == CUSTOMER for r in shown["reports"])
