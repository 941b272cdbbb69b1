"""Addresses: parsing what people type, and the address fields of 23.040 9.1.2.5."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modemd.errors import InvalidInputError
from modemd.sms.address import (
    Address,
    decode_address,
    decode_smsc,
    encode_address,
    encode_smsc,
)
from modemd.sms.alphabet import DEFAULT_TABLE
from modemd.sms.reader import MalformedPduError, Reader


@pytest.mark.parametrize(("text", "number", "toa"), [
    ("+15551234567", "+15551234567", 0x91),
    ("  +1 (555) 123-4567 ", "+15551234567", 0x91),
    ("+44 7700.900.123", "+447700900123", 0x91),
    ("555 123", "555123", 0x81),
    ("0171-555-1234", "01715551234", 0x81),
    ("72345", "72345", 0x81),
    ("*100#", "*100#", 0x81),
    ("Google", "Google", 0xD0),
    ("My Bank", "My Bank", 0xD0),
    ("BankAlerts1", "BankAlerts1", 0xD0),
    ("1-800-FLOWER", None, None),  # 12 chars: too long for a sender name
])
def test_parse(text: str, number: str | None, toa: int | None) -> None:
    if number is None:
        with pytest.raises(InvalidInputError, match="septets"):
            Address.parse(text)
        return
    address = Address.parse(text)
    assert address == Address(number, toa)
    assert address.is_alphanumeric == (toa == 0xD0)


@pytest.mark.parametrize(("text", "why"), [
    ("", "empty"),
    ("   ", "empty"),
    ("+", "not a phone number"),
    ("++15551234567", "not a phone number"),
    ("+1555+123", "not a phone number"),
    ("+*100", "not a phone number"),
    ("1" * 21, "at most 20"),
    ("+" + "1" * 21, "at most 20"),
    ("Greetings€€", "septets"),  # € counts twice: 11 chars, 13 septets
    ("Café`", "cannot be used"),
])
def test_parse_refuses_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(InvalidInputError, match=why):
        Address.parse(text)


def test_unicode_digits_are_not_phone_digits() -> None:
    with pytest.raises(InvalidInputError):
        Address.parse("٣٣٣")
    with pytest.raises(InvalidInputError):
        encode_address(Address("٣٣٣", 0x81))


def test_type_of_address_must_be_an_octet() -> None:
    with pytest.raises(InvalidInputError):
        Address("123", 0x191)


@pytest.mark.parametrize(("address", "field"), [
    (Address("+46708251358", 0x91), "0B916407281553F8"),
    (Address("27838890001", 0xC8), "0BC87238880900F1"),
    (Address("Google", 0xD0), "0BD0C7F7FBCC2E03"),
    (Address("*100#", 0x81), "05811A00FB"),
])
def test_address_field(address: Address, field: str) -> None:
    assert encode_address(address).hex().upper() == field
    assert decode_address(Reader(bytes.fromhex(field)), "TP-OA") == address


def test_smsc_field() -> None:
    assert encode_smsc(None) == b"\x00"
    assert encode_smsc("+27381000015").hex().upper() == "07917283010010F5"
    assert decode_smsc(Reader(bytes.fromhex("07917283010010F5"))) == Address("+27381000015", 0x91)
    assert decode_smsc(Reader(b"\x00")) is None
    with pytest.raises(InvalidInputError, match="phone number"):
        encode_smsc("MySMSC")


def test_decode_refuses_lengths_that_cannot_be() -> None:
    with pytest.raises(MalformedPduError, match="exceeds 20"):
        decode_address(Reader(bytes.fromhex("1591" + "11" * 11)), "TP-OA")
    with pytest.raises(MalformedPduError, match="truncated"):
        decode_address(Reader(bytes.fromhex("0B9164")), "TP-OA")


@given(st.from_regex(r"\+?[0-9]{1,20}", fullmatch=True))
def test_numbers_round_trip(text: str) -> None:
    address = Address.parse(text)
    assert decode_address(Reader(encode_address(address)), "TP-DA") == address


SENDER_CHARS = [c for c in DEFAULT_TABLE if c.isalnum() or c in " .-&"]


@given(st.text(alphabet=SENDER_CHARS, min_size=1, max_size=11).filter(
    lambda s: s.strip() == s and s and not set(s) <= set("0123456789 .-")))
def test_sender_names_round_trip(text: str) -> None:
    address = Address.parse(text)
    assert address.is_alphanumeric
    assert decode_address(Reader(encode_address(address)), "TP-OA") == address
