"""TP-UD: UDH and fill bits, concatenation IEs, UCS-2 surrogates, lengths that lie."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modemd.errors import InvalidInputError
from modemd.sms.dcs import Encoding
from modemd.sms.reader import MalformedPduError
from modemd.sms.userdata import (
    Concat,
    UserData,
    build_user_data,
    decode_ucs2,
    information_elements,
    parse_user_data,
)


def with_header(header: bytes) -> UserData:
    return UserData(0, Encoding.GSM7, header, "", 0, b"", None)


@pytest.mark.parametrize(("header", "expected"), [
    ("00034202 01", Concat(0x42, 2, 1, False)),
    ("0804BEEF0302", Concat(0xBEEF, 3, 2, True)),
    ("0A03010203 00034202 01", Concat(0x42, 2, 1, False)),  # after another IE
    ("00034202 01 00034303 02", Concat(0x43, 3, 2, False)),  # repeated: the last one counts
    ("00034200 01", None),  # total 0: ignore
    ("00034202 00", None),  # sequence 0
    ("00034202 03", None),  # sequence beyond total
    ("000242 02", None),  # wrong IE length
    ("0003420201 0805", Concat(0x42, 2, 1, False)),  # a later IE overruns: keep the good one
    ("", None),
    ("05040B8423F0", None),  # port addressing only
])
def test_concat(header: str, expected: Concat | None) -> None:
    assert with_header(bytes.fromhex(header.replace(" ", ""))).concat == expected


def test_information_elements_stop_at_an_overrun() -> None:
    assert information_elements(bytes.fromhex("0003420201 0805".replace(" ", ""))) == [
        (0x00, bytes.fromhex("420201"))]


@pytest.mark.parametrize(("concat", "error"), [
    (dict(reference=256, total=2, sequence=1, wide=False), "0-255"),
    (dict(reference=65536, total=2, sequence=1, wide=True), "0-65535"),
    (dict(reference=1, total=256, sequence=1, wide=False), "impossible"),
    (dict(reference=1, total=2, sequence=3, wide=False), "impossible"),
    (dict(reference=1, total=2, sequence=0, wide=False), "impossible"),
])
def test_concat_refuses_impossible_values(concat: dict[str, int], error: str) -> None:
    with pytest.raises(InvalidInputError, match=error):
        Concat(**concat)


def test_fill_bits_for_8bit_reference_header() -> None:
    part = build_user_data("A", Encoding.GSM7, Concat(1, 2, 1, False))
    # 6 UDH octets = 48 bits -> 7 septets (1 fill bit); 'A' = 0x41 shifted left by one.
    assert part.payload.hex().upper() == "050003010201" + "82"
    assert part.length == 8
    assert parse_user_data(0, True, part.length, part.payload).text == "A"


def test_no_fill_bits_for_16bit_reference_header() -> None:
    part = build_user_data("A", Encoding.GSM7, Concat(0x1234, 2, 1, True))
    # 7 UDH octets = 56 bits = exactly 8 septets.
    assert part.payload.hex().upper() == "06080412340201" + "41"
    assert part.length == 9
    assert parse_user_data(0, True, part.length, part.payload).text == "A"


@pytest.mark.parametrize(("data", "text"), [
    ("D83DDE00", "😀"),
    ("0041D83D", "A\ufffd"),  # high surrogate at the end (a badly split part)
    ("DE000041", "\ufffdA"),  # low surrogate at the start
    ("D83D0041", "\ufffdA"),
    ("004100", "A\ufffd"),  # odd octet
    ("D83D00", "\ufffd\ufffd"),
    ("", ""),
])
def test_decode_ucs2(data: str, text: str) -> None:
    assert decode_ucs2(bytes.fromhex(data)) == text


@given(st.binary(max_size=140))
def test_decoded_ucs2_is_always_storable(data: bytes) -> None:
    decode_ucs2(data).encode("utf-8")  # no lone surrogates survive


@pytest.mark.parametrize(("dcs", "udhi", "length", "payload", "error"), [
    (0x00, False, 10, "E8329BFD46", "needs 9 octet"),
    (0x00, False, 161, "00" * 141, "exceeds the maximum"),
    (0x08, False, 141, "00" * 141, "exceeds the maximum"),
    (0x08, True, 4, "05000301", "overruns"),
    (0x00, True, 0, "", "empty"),
    (0x00, True, 2, "0600", "overruns"),
    (0x00, True, 6, "050003010201", "shorter than the UDH"),
    (0x24, False, 1, "00", "compressed"),
])
def test_malformed_user_data(dcs: int, udhi: bool, length: int, payload: str,
                             error: str) -> None:
    with pytest.raises(MalformedPduError, match=error):
        parse_user_data(dcs, udhi, length, bytes.fromhex(payload))


def test_octets_beyond_udl_are_ignored() -> None:
    decoded = parse_user_data(0, False, 5, bytes.fromhex("E8329BFD06FFFF"))
    assert decoded.text == "hello"
    assert decoded.payload == bytes.fromhex("E8329BFD06")


def test_data8_text_is_hex_after_the_header() -> None:
    decoded = parse_user_data(0xF5, True, 6, bytes.fromhex("0400021234AB"))
    assert (decoded.header, decoded.text, decoded.message_class) == (
        bytes.fromhex("00021234"), "AB", 1)


def test_build_refuses_text_that_does_not_fit() -> None:
    with pytest.raises(InvalidInputError, match="split_text"):
        build_user_data("x" * 161, Encoding.GSM7, None)
    with pytest.raises(InvalidInputError, match="split_text"):
        build_user_data("ж" * 68, Encoding.UCS2, Concat(1, 2, 1, False))
    with pytest.raises(InvalidInputError, match="GSM7 or UCS2"):
        build_user_data("x", Encoding.DATA8, None)
    with pytest.raises(InvalidInputError, match="lone surrogate"):
        build_user_data("\ud800", Encoding.UCS2, None)
