"""Tables show times in the local zone, relative while that is shorter; JSON keeps ISO UTC."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from modemd.cli.output import emit_json, field, table, when
from modemd.desk.liveness import ago

# Thursday 2026-12-03 14:05:00 in Berlin (CET, UTC+1)
NOW = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def berlin(local_zone: Callable[[str], None]) -> None:
    local_zone("Europe/Berlin")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # as the store writes


def shown(delta: timedelta, now: datetime = NOW) -> str:
    return when(datetime.fromisoformat(iso(now + delta)), now)


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(seconds=0), "just now"),
    (timedelta(seconds=-44), "just now"),
    (timedelta(seconds=-45), "1 min ago"),
    (timedelta(minutes=-2, seconds=-59), "2 min ago"),
    (timedelta(minutes=-59, seconds=-59), "59 min ago"),
    (timedelta(hours=-3, minutes=-30), "3 h ago"),
    (timedelta(hours=-14), "14 h ago"),  # 00:05 today
    (timedelta(hours=-15), "yesterday 23:05"),
    (timedelta(days=-1, hours=-3), "yesterday 11:05"),
    (timedelta(days=-3), "Mon 14:05"),
    (timedelta(days=-6), "Fri 14:05"),
    (timedelta(days=-7), "Nov 26 14:05"),
    (timedelta(days=-300), "Feb 6 14:05"),
    (timedelta(days=-365), "2025-12-03 14:05"),
])
def test_past_times(delta: timedelta, text: str) -> None:
    assert shown(delta) == text


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(seconds=20), "in 1 min"),
    (timedelta(minutes=4, seconds=10), "in 5 min"),
    (timedelta(minutes=59), "in 59 min"),
    (timedelta(hours=2), "at 16:05"),
    (timedelta(hours=19), "tomorrow 09:05"),
    (timedelta(days=4), "Mon 14:05"),
    (timedelta(days=20), "Dec 23 14:05"),
    (timedelta(days=40), "2027-01-12 14:05"),
])
def test_future_times(delta: timedelta, text: str) -> None:
    assert shown(delta) == text


def test_hours_ago_across_midnight_then_yesterday() -> None:
    just_after_midnight = datetime(2026, 12, 3, 0, 30, tzinfo=UTC)  # 01:30 in Berlin
    assert shown(timedelta(hours=-3), just_after_midnight) == "3 h ago"
    assert shown(timedelta(hours=-7), just_after_midnight) == "yesterday 18:30"


def test_the_zone_comes_from_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    moment = datetime.fromisoformat(iso(NOW - timedelta(days=2)))
    assert when(moment, NOW) == "Tue 14:05"
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    assert when(moment, NOW) == "Tue 08:05"
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    assert when(moment, NOW) == "Tue 22:05"


def test_summer_time_is_the_moment_s_own_offset() -> None:
    july = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # CEST, UTC+2
    assert when(july, NOW) == "Jul 1 14:00"


def rendered(capsys: pytest.CaptureFixture[str], rows: list[dict],
             columns: tuple[str, ...]) -> list[list[str]]:
    table(rows, columns, now=NOW)
    return [re.split(r" {2,}", line) for line in capsys.readouterr().out.splitlines()]


def test_a_table_shows_its_time_columns_relative_and_the_rest_as_they_are(
        capsys: pytest.CaptureFixture[str]) -> None:
    row = {"id": 7, "created_at": iso(NOW - timedelta(minutes=2)),
           "read_at": iso(NOW - timedelta(days=1, hours=3)),
           "scheduled_for": iso(NOW + timedelta(minutes=5)),
           "since": iso(NOW - timedelta(hours=3)), "last_at": None,
           "at": iso(NOW - timedelta(days=3)),
           "smsc_time": iso(NOW), "text": iso(NOW)}
    header, line = rendered(capsys, [row], tuple(row))
    cells = dict(zip((name.lower() for name in header), line, strict=True))
    assert cells == {"id": "7", "created_at": "2 min ago", "read_at": "yesterday 11:05",
                     "scheduled_for": "in 5 min", "since": "3 h ago", "last_at": "-",
                     "at": "Mon 14:05",
                     "smsc_time": iso(NOW), "text": iso(NOW)}


@pytest.mark.parametrize("value", ["yesterday", "2026-12-03", "2026-12-03T14:05:00",
                                   "not-a-time-at-all", "2026-99-99T00:00:00Z", 5])
def test_what_is_not_an_iso_time_with_a_zone_passes_through(
        capsys: pytest.CaptureFixture[str], value: object) -> None:
    _, line = rendered(capsys, [{"created_at": value}], ("created_at",))
    assert line == [str(value)]


def test_json_keeps_iso_utc(capsys: pytest.CaptureFixture[str]) -> None:
    stored = iso(NOW - timedelta(minutes=2))
    emit_json([{"created_at": stored}])
    assert json.loads(capsys.readouterr().out) == [{"created_at": stored}]


def test_show_gives_the_exact_local_time_beside_the_relative_one() -> None:
    assert field("created_at", iso(NOW - timedelta(minutes=2)), NOW) == \
        "2 min ago (2026-12-03 14:03:00 CET)"
    assert field("sent_at", None, NOW) == "-"
    assert field("text", "hello", NOW) == "hello"


def test_status_ago_speaks_in_the_tables_units() -> None:
    assert [ago(s) for s in (12, 59, 60, 179, 3599, 3600, 7199, 86400 * 3)] == [
        "12 s ago", "59 s ago", "1 min ago", "2 min ago", "59 min ago", "1 h ago",
        "1 h ago", "3 d ago"]
    assert ago(None) == "-"
