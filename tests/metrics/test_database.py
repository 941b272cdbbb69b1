"""What a scrape reads from the database: rows made through the store's own API, the
figures checked as Prometheus would see them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from store.helpers import add_line, delivers, queue, send, status_report

from modemd.store import LineState, Store

from .conftest import Samples

Scrape = Callable[[], Samples]


def backdated(monkeypatch: pytest.MonkeyPatch, module: str, ago: timedelta) -> None:
    """The store module's clock reads `ago` in the past (for rows made earlier)."""
    then = datetime.now(UTC) - ago
    monkeypatch.setattr(f"modemd.store.{module}.utc_now", lambda: then)


def test_messages_count_every_direction_and_status_with_zeros(store: Store,
                                                               scrape: Scrape) -> None:
    line = add_line(store, 1)
    for text in ("one", "two", "three"):
        queue(store, text)
    send(store, line, mr=5)
    pdu, deliver = delivers("+12015550177", "a reply")[0]
    store.inbox.record(line, pdu, deliver)
    got = scrape()
    assert got.get("modemd_messages", direction="out", status="queued") == 2
    assert got.get("modemd_messages", direction="out", status="sent") == 1
    assert got.get("modemd_messages", direction="in", status="received") == 1
    assert got.get("modemd_messages", direction="out", status="unknown") == 0
    assert got.get("modemd_messages", direction="in", status="incomplete") == 0
    assert len(got.labelled("modemd_messages")) == 11  # 9 outbound + 2 inbound statuses


def test_queue_depth_and_the_oldest_message_age(store: Store, scrape: Scrape,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    empty = scrape()
    assert (empty.get("modemd_queue_messages"),
            empty.get("modemd_queue_oldest_age_seconds")) == (0, 0)
    with monkeypatch.context() as patch:
        backdated(patch, "outbound", timedelta(minutes=10))
        queue(store, "waiting since ten minutes ago")
    queue(store, "just now")
    got = scrape()
    assert got.get("modemd_queue_messages") == 2
    assert 600 <= (got.get("modemd_queue_oldest_age_seconds") or 0) < 660


def test_reports_matched_orphaned_and_the_ratio_over_the_last_hour(
        store: Store, scrape: Scrape, monkeypatch: pytest.MonkeyPatch) -> None:
    assert scrape().get("modemd_delivery_report_match_ratio") is None  # nothing to judge
    line = add_line(store, 1)
    with monkeypatch.context() as patch:  # an orphan two hours ago
        backdated(patch, "reports", timedelta(hours=2))
        store.reports.record(line, *status_report(99))
    queue(store)
    send(store, line, mr=7)
    store.reports.record(line, *status_report(7))  # matches the part just sent
    got = scrape()
    assert got.get("modemd_delivery_reports_matched") == 1
    assert got.get("modemd_delivery_reports_orphaned") == 1
    assert got.get("modemd_delivery_report_match_ratio") == 1.0  # the orphan is older
    store.reports.record(line, *status_report(42))  # a recent orphan
    assert scrape().get("modemd_delivery_report_match_ratio") == 0.5


def test_each_line_is_up_in_one_state_with_its_signal_and_registration(
        store: Store, scrape: Scrape) -> None:
    named = add_line(store, 1, name="desk-1")
    numbered = add_line(store, 2, state=LineState.PAUSED)
    bare = add_line(store, 3, own_number=None, state=LineState.OFFLINE)
    store.lines.set_radio(named, signal=20, registration=1, operator="Op")
    store.lines.set_radio(numbered, signal=99, registration=5, operator="Op")
    got = scrape()
    labels = ("desk-1", "+15551000002", str(bare))  # name, else own number, else id
    assert [got.get("modemd_line_up", line=label) for label in labels] == [1, 0, 0]
    for label, state in zip(labels, ("ok", "paused", "offline"), strict=True):
        states = {value: got.get("modemd_line_state", line=label, state=value)
                  for value in LineState}
        assert states == {value: 1 if value == state else 0 for value in LineState}
    assert got.get("modemd_line_signal_dbm", line="desk-1") == -73  # rssi 20
    assert got.get("modemd_line_signal_dbm", line="+15551000002") is None  # 99: unknown
    assert got.get("modemd_line_registration_status", line="+15551000002") == 5
    assert got.get("modemd_line_registration_status", line=str(bare)) is None


def test_every_line_has_its_event_counters_from_zero(store: Store, scrape: Scrape) -> None:
    add_line(store, 1, name="fresh-line")
    got = scrape()
    for name in ("modemd_parts_submitted_total", "modemd_send_retries_total",
                 "modemd_send_unknown_total"):
        assert got.get(name, line="fresh-line") == 0, name


def test_daemon_starts_unclean_stops_interrupted_sends_and_the_start_time(
        store: Store, scrape: Scrape) -> None:
    assert scrape().get("modemd_daemon_start_time_seconds") is None  # never ran
    first = store.runs.begin(100, "0.1.0")
    store.runs.end(first)  # a clean stop
    store.runs.begin(101, "0.1.0")  # then killed: no end
    before = datetime.now(UTC).timestamp()
    third = store.runs.begin(102, "0.1.0")
    store.runs.interrupted(third, 2)
    got = scrape()
    assert got.get("modemd_daemon_starts_total") == 3
    assert got.get("modemd_daemon_unclean_stops_total") == 1
    assert got.get("modemd_interrupted_sends_total") == 2
    assert before - 1 <= (got.get("modemd_daemon_start_time_seconds") or 0) <= before + 5


def test_the_database_disk(store: Store, scrape: Scrape) -> None:
    got = scrape()
    assert got.get("modemd_database_up") == 1
    assert got.get("modemd_database_full") == 0
    assert (got.get("modemd_database_free_bytes") or 0) > 1 << 20


def test_a_database_that_cannot_be_read_still_serves_the_rest(store: Store,
                                                              scrape: Scrape) -> None:
    add_line(store, 1, name="desk-1")
    store.close()  # as at shutdown, or a failing disk
    got = scrape()
    assert got.get("modemd_database_up") == 0
    assert got.get("modemd_messages", direction="out", status="queued") is None
    assert got.labelled("process_cpu_seconds_total")  # in-process figures still there

