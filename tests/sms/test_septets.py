"""Septet packing, semi-octets and swapped BCD, checked against known bytes and gsmmodem."""

from gsmmodem import pdu as gsmpdu
from hypothesis import given
from hypothesis import strategies as st

from modemd.sms.septets import (
    decode_bcd,
    decode_digits,
    encode_bcd,
    encode_digits,
    pack_septets,
    packed_length,
    unpack_septets,
)

HELLOHELLO = [0x68, 0x65, 0x6C, 0x6C, 0x6F] * 2
SEPTETS = st.lists(st.integers(0, 127), max_size=200)


def test_hellohello_packs_as_published() -> None:
    assert pack_septets(HELLOHELLO).hex().upper() == "E8329BFD4697D9EC37"
    assert unpack_septets(bytes.fromhex("E8329BFD4697D9EC37"), 10) == HELLOHELLO


def test_fill_bits_shift_the_first_septet() -> None:
    assert pack_septets([0x7F], fill_bits=1) == bytes([0xFE])
    assert unpack_septets(bytes([0xFE]), 1, fill_bits=1) == [0x7F]


def test_eight_zero_septets_survive() -> None:
    packed = pack_septets([0] * 8)
    assert packed == bytes(7)
    assert unpack_septets(packed, 8) == [0] * 8


@given(SEPTETS, st.integers(0, 6))
def test_pack_unpack_round_trip(septets: list[int], fill_bits: int) -> None:
    packed = pack_septets(septets, fill_bits)
    assert len(packed) == (fill_bits + 7 * len(septets) + 7) // 8
    assert unpack_septets(packed, len(septets), fill_bits) == septets


@given(SEPTETS)
def test_packing_agrees_with_gsmmodem(septets: list[int]) -> None:
    assert pack_septets(septets) == bytes(gsmpdu.packSeptets(bytearray(septets)))
    assert packed_length(len(septets)) == len(pack_septets(septets))


def test_semi_octets() -> None:
    assert encode_digits("46708251358").hex().upper() == "6407281553F8"
    assert decode_digits(bytes.fromhex("6407281553F8"), 11) == "46708251358"
    assert encode_digits("*100#").hex().upper() == "1A00FB"
    assert decode_digits(bytes.fromhex("1A00FB"), 5) == "*100#"
    assert decode_digits(bytes.fromhex("DCFE"), 3) == "abc"


@given(st.text(alphabet="0123456789*#abc", min_size=1, max_size=20))
def test_digits_round_trip(digits: str) -> None:
    assert decode_digits(encode_digits(digits), len(digits)) == digits


def test_swapped_bcd() -> None:
    assert encode_bcd(29) == 0x92
    assert decode_bcd(0x92) == 29
    assert decode_bcd(0xA1) is None
    assert decode_bcd(0x1A) is None
    assert all(decode_bcd(encode_bcd(value)) == value for value in range(100))
