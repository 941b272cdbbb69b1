"""TP-SCTS / TP-DT / absolute TP-VP: 7 octets of swapped BCD (TS 23.040 clause 9.2.3.11).

yy MM dd hh mm ss tz, each octet low-nibble-first. The time-zone octet counts quarter hours
from GMT; bit 3 of the octet as carried (the tens nibble's top bit) is the sign.
"""

from datetime import datetime, timedelta, timezone

from modemd.errors import InvalidInputError
from modemd.sms.septets import decode_bcd, encode_bcd

TIMESTAMP_OCTETS = 7
_SIGN_BIT = 0x08
_MAX_QUARTER_HOURS = 79  # 7-bit BCD: tens digit 0-7


def decode_timestamp(raw: bytes) -> datetime | None:
    """Aware datetime, or None for an all-zero, invalid or short timestamp. Never raises."""
    if len(raw) != TIMESTAMP_OCTETS:
        return None
    fields = [value for value in map(decode_bcd, raw[:6]) if value is not None]
    offset = _decode_zone(raw[6])
    if offset is None or len(fields) != 6:
        return None
    year, month, day, hour, minute, second = fields
    # POSIX %y pivot: 00-68 -> 20xx, 69-99 -> 19xx (so the classic 1999 examples read right).
    year += 2000 if year <= 68 else 1900
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError:  # month 0, day 0, 31 February, hour 24...
        return None


def _decode_zone(octet: int) -> timedelta | None:
    quarter_hours = decode_bcd(octet & ~_SIGN_BIT)
    if quarter_hours is None:
        return None
    sign = -1 if octet & _SIGN_BIT else 1
    return timedelta(minutes=sign * 15 * quarter_hours)


def encode_timestamp(moment: datetime) -> bytes:
    """Aware datetime -> 7 octets in the datetime's own offset (seconds precision)."""
    offset = moment.utcoffset()
    if offset is None:
        raise InvalidInputError(
            f"timestamp {moment.isoformat()} has no time zone; pass an aware datetime "
            "(e.g. datetime.now(timezone.utc))"
        )
    quarter_hours, rest = divmod(abs(offset), timedelta(minutes=15))
    if rest or quarter_hours > _MAX_QUARTER_HOURS:
        raise InvalidInputError(
            f"timestamp offset {offset} cannot be carried in an SMS: it must be a whole number "
            "of quarter hours within ±19:45; convert the timestamp to UTC first"
        )
    if not 1969 <= moment.year <= 2068:
        raise InvalidInputError(
            f"timestamp year {moment.year} cannot be carried in an SMS (two-digit years "
            "1969-2068 only)"
        )
    zone = encode_bcd(quarter_hours) | (_SIGN_BIT if offset < timedelta(0) else 0)
    fields = (moment.year % 100, moment.month, moment.day, moment.hour, moment.minute,
              moment.second)
    return bytes([*(encode_bcd(field) for field in fields), zone])
