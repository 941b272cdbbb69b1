"""desk.when.parse: `send --at WHEN` read as one moment in UTC, or refused saying why;
and a send with a time is scheduled after the same checks as any send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from modemd.desk import when
from modemd.desk.sending import Options, send
from modemd.errors import InvalidInputError
from modemd.store import Store

from .conftest import CUSTOMER, OTHER

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def berlin(local_zone: Callable[[str], None]) -> None:
    """The computer's time zone is Europe/Berlin (CET, CEST in summer)."""
    local_zone("Europe/Berlin")


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-24T09:00:00Z", datetime(2026, 12, 24, 9, 0, tzinfo=UTC)),
    ("2026-12-24T09:00Z", datetime(2026, 12, 24, 9, 0, tzinfo=UTC)),
    ("2026-12-24T09:00:00.250z", datetime(2026, 12, 24, 9, 0, 0, 250000, tzinfo=UTC)),
    ("2026-12-24T09:00+01:00", datetime(2026, 12, 24, 8, 0, tzinfo=UTC)),
    ("2026-12-24T09:00:00-05:00", datetime(2026, 12, 24, 14, 0, tzinfo=UTC)),
    ("  2026-12-04T12:30Z ", datetime(2026, 12, 4, 12, 30, tzinfo=UTC)),
])
def test_an_iso_time_with_z_or_an_offset_is_that_moment(text: str, expected: datetime) -> None:
    moment = when.parse(text, NOW)
    assert moment == expected and moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["2026-12-24 09:00", "2026-12-24T09:00", "2026-12-24 09:00:00"])
def test_a_time_without_offset_is_in_the_given_zone(text: str) -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    assert when.parse(text, NOW, zone=india) == datetime(2026, 12, 24, 3, 30, tzinfo=UTC)


def test_without_a_zone_it_is_the_computer_s_with_its_daylight_saving(berlin: None) -> None:
    assert when.parse("2026-12-24 09:00", NOW) == datetime(2026, 12, 24, 8, 0, tzinfo=UTC)
    summer = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)  # CEST, an hour more than in winter
    assert when.parse("2027-07-01 09:00", summer) == datetime(2027, 7, 1, 7, 0, tzinfo=UTC)
    assert when.parse("2026-12-24T09:00Z", NOW).hour == 9  # Z is UTC wherever one is


@pytest.mark.parametrize("text", ["tomorrow 9am", "2026-12-24", "24.12.2026 09:00",
                                  "2026-13-01 09:00", "09:00", ""])
def test_an_unreadable_time_shows_the_forms_accepted(text: str, berlin: None) -> None:
    with pytest.raises(InvalidInputError) as refused:
        when.parse(text, NOW)
    said = str(refused.value)
    assert said.startswith(f"cannot read {text!r} as a time: give an ISO 8601 time")
    assert '"YYYY-MM-DD HH:MM"' in said and "2026-12-24T09:00:00Z" in said
    assert said.endswith("in this computer's time zone (CET)")


def test_a_time_in_the_past_is_refused_a_moment_ago_is_not(berlin: None) -> None:
    assert when.parse("2026-12-04T11:59:55Z", NOW) == NOW - timedelta(seconds=5)
    with pytest.raises(InvalidInputError) as refused:
        when.parse("2026-12-04T09:30Z", NOW)
    assert str(refused.value).startswith("2026-12-04 09:30:00 UTC (2026-12-04 10:30:00 CET) ")
    assert "is 2 hours ago: a scheduled message needs a time still to come" in str(refused.value)
    assert str(refused.value).endswith("or send without --at to send it now")
    with pytest.raises(InvalidInputError, match="is 30 seconds ago"):
        when.parse("2026-12-04T11:59:30Z", NOW)


def test_more_than_a_year_ahead_is_refused() -> None:
    assert when.parse("2027-12-03T12:00Z", NOW) == datetime(2027, 12, 3, 12, tzinfo=UTC)
    with pytest.raises(InvalidInputError) as refused:
        when.parse("2207-12-24T09:00Z", NOW)
    assert "is more than a year ahead: modemd schedules at most 365 days ahead; check the " \
           "year" in str(refused.value)


def test_checked_applies_the_same_rules_to_a_datetime(berlin: None) -> None:
    assert when.checked(datetime(2026, 12, 24, 9, 0), NOW) == datetime(2026, 12, 24, 8,
                                                                        tzinfo=UTC)
    with pytest.raises(InvalidInputError, match="ago"):
        when.checked(NOW - timedelta(days=3), NOW)


def test_a_send_with_at_is_scheduled_after_the_same_checks(store: Store) -> None:
    at = datetime.now(UTC) + timedelta(hours=2)
    sent = send(store, CUSTOMER, "see you tomorrow", operator="alice", options=Options(at=at))
    [row] = store.views.messages("out")
    assert (sent.status, sent.scheduled_for) == ("scheduled", row["scheduled_for"])
    assert (row["id"], row["status"]) == (sent.message_id, "scheduled")
    assert datetime.fromisoformat(row["scheduled_for"]) == at
    store.optouts.add(OTHER, "bob")
    with pytest.raises(InvalidInputError, match="opted out"):
        send(store, OTHER, "hi", operator="alice", options=Options(at=at))
    with pytest.raises(InvalidInputError, match="ago: a scheduled message needs a time"):
        send(store, CUSTOMER, "hi", operator="alice",
             options=Options(at=datetime.now(UTC) - timedelta(hours=1)))
    assert len(store.views.messages("out")) == 1, "a refused send queues nothing"
