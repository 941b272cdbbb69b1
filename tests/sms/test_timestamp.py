"""TP-SCTS: swapped BCD, quarter-hour zones with a sign bit, None for anything invalid."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modemd.errors import InvalidInputError
from modemd.sms.timestamp import decode_timestamp, encode_timestamp


def zone(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


@pytest.mark.parametrize(("raw", "expected"), [
    ("99309251619580", datetime(1999, 3, 29, 15, 16, 59, tzinfo=zone(120))),
    ("6060605130308A", datetime(2006, 6, 6, 15, 3, 3, tzinfo=zone(-420))),  # AOSP: -07:00
    ("52301021000049", datetime(2025, 3, 1, 12, 0, 0, tzinfo=zone(-210))),  # -03:30
    ("52301021000000", datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)),
    ("52301021000032", datetime(2025, 3, 1, 12, 0, 0, tzinfo=zone(345))),  # Nepal +05:45
    ("5230102100000A", datetime(2025, 3, 1, 12, 0, 0, tzinfo=zone(-300))),  # sign + tens 2
])
def test_decodes(raw: str, expected: datetime) -> None:
    decoded = decode_timestamp(bytes.fromhex(raw))
    assert decoded == expected
    assert decoded is not None and decoded.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("raw", [
    "00000000000000",  # all zero
    "52003021000000",  # month 0
    "52100021000000",  # day 0
    "52313021000000",  # month 13
    "52200321000000",  # 30 February
    "5230102A000000",  # invalid BCD nibble
    "52301042000000",  # hour 24
    "523010210000A0",  # zone units nibble A
    "523010210000",  # six octets only
    "",
])
def test_invalid_is_none(raw: str) -> None:
    assert decode_timestamp(bytes.fromhex(raw)) is None


@given(st.binary(min_size=7, max_size=7))
def test_never_raises(raw: bytes) -> None:
    decoded = decode_timestamp(raw)
    assert decoded is None or decoded.tzinfo is not None


QUARTERS = st.integers(-79, 79).map(lambda q: zone(15 * q))


@given(st.datetimes(min_value=datetime(1969, 1, 1), max_value=datetime(2068, 12, 31),
                    timezones=QUARTERS))
def test_round_trip(moment: datetime) -> None:
    decoded = decode_timestamp(encode_timestamp(moment))
    assert decoded == moment.replace(microsecond=0)
    assert decoded is not None and decoded.utcoffset() == moment.utcoffset()


@pytest.mark.parametrize("moment", [
    datetime(2025, 1, 1),  # naive
    datetime(2025, 1, 1, tzinfo=zone(7)),  # not a quarter hour
    datetime(2025, 1, 1, tzinfo=zone(20 * 60)),  # beyond 19:45
    datetime(2100, 1, 1, tzinfo=UTC),  # two-digit year range
])
def test_encode_refuses_what_cannot_be_carried(moment: datetime) -> None:
    with pytest.raises(InvalidInputError):
        encode_timestamp(moment)
