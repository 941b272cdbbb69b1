"""Addresses: TP-OA/TP-DA/TP-RA (TS 23.040 clause 9.1.2.5) and the SMSC field (24.011)."""

import re
from dataclasses import dataclass

from modemd.errors import InvalidInputError
from modemd.sms.alphabet import decode_gsm7, encode_gsm7
from modemd.sms.reader import MalformedPduError, Reader
from modemd.sms.septets import (
    decode_digits,
    encode_digits,
    is_digit_string,
    pack_septets,
    unpack_septets,
)

TOA_INTERNATIONAL = 0x91
TOA_UNKNOWN = 0x81
TOA_NATIONAL = 0xA1
TOA_ALPHANUMERIC = 0xD0

_TON_MASK = 0x70
_TON_INTERNATIONAL = 0x10
_TON_ALPHANUMERIC = 0x50
MAX_DIGITS = 20  # the address value is at most 10 octets
MAX_ALPHANUMERIC_SEPTETS = 11  # 77 bits fit those 10 octets
_MAX_SMSC_OCTETS = 11  # TOA + 10 octets of digits

# Characters people put inside phone numbers; a string made only of these is a number.
_SEPARATORS = re.compile(r"[\s\-.()]")
_NUMBER_LIKE = re.compile(r"[0-9\s\-.()+*#]+")
_INTERNATIONAL = re.compile(r"\+[0-9]+")
_SHORT_OR_LOCAL = re.compile(r"[0-9*#]+")


@dataclass(frozen=True)
class Address:
    """A party to a message: a number (with '+' when international) or alphanumeric text."""

    number: str
    type_of_address: int

    def __post_init__(self) -> None:
        if not 0 <= self.type_of_address <= 0xFF:
            raise InvalidInputError(
                f"type of address {self.type_of_address} is not an octet; use e.g. 0x91 "
                "(international), 0x81 (unknown) or 0xD0 (alphanumeric)"
            )

    @classmethod
    def parse(cls, text: str) -> "Address":
        """'+1 555-123' -> +1555123/0x91; '12345', '*100#' -> 0x81; 'MyBank' -> 0xD0."""
        stripped = text.strip()
        if not stripped:
            raise InvalidInputError("address is empty; give a phone number or sender name")
        if _NUMBER_LIKE.fullmatch(stripped):  # only number characters: never alphanumeric
            return _parse_number(stripped)
        return _parse_alphanumeric(stripped)

    @property
    def is_alphanumeric(self) -> bool:
        return self.type_of_address & _TON_MASK == _TON_ALPHANUMERIC


def _parse_number(text: str) -> Address:
    compact = _SEPARATORS.sub("", text)
    if not (_INTERNATIONAL.fullmatch(compact) or _SHORT_OR_LOCAL.fullmatch(compact)):
        raise InvalidInputError(
            f"{text!r} is not a phone number: use digits with an optional leading '+', "
            "or digits with * and # for a short code"
        )
    digits = compact.removeprefix("+")
    if len(digits) > MAX_DIGITS:
        raise InvalidInputError(
            f"{text!r} has {len(digits)} digits; an SMS address holds at most {MAX_DIGITS}"
        )
    if compact.startswith("+"):
        return Address(compact, TOA_INTERNATIONAL)
    return Address(digits, TOA_UNKNOWN)


def _parse_alphanumeric(text: str) -> Address:
    try:
        septets = encode_gsm7(text)
    except InvalidInputError as exc:
        raise InvalidInputError(f"sender name {text!r} cannot be used: {exc}") from exc
    if len(septets) > MAX_ALPHANUMERIC_SEPTETS:
        raise InvalidInputError(
            f"sender name {text!r} needs {len(septets)} septets; at most "
            f"{MAX_ALPHANUMERIC_SEPTETS} fit (extension characters count twice); shorten it"
        )
    return Address(text, TOA_ALPHANUMERIC)


def encode_address(address: Address) -> bytes:
    """Address field: length (useful semi-octets), TOA, value."""
    if address.is_alphanumeric:
        septets = encode_gsm7(address.number)
        if len(septets) > MAX_ALPHANUMERIC_SEPTETS:
            raise InvalidInputError(f"alphanumeric address {address.number!r} is too long")
        semi_octets = (7 * len(septets) + 3) // 4
        return bytes([semi_octets, address.type_of_address]) + pack_septets(septets)
    digits = _digits_of(address)
    return bytes([len(digits), address.type_of_address]) + encode_digits(digits)


def encode_smsc(smsc: str | None) -> bytes:
    """SMSC field as the modem wants it in front of the TPDU; b'\\x00' = the SIM's SMSC."""
    if smsc is None:
        return b"\x00"
    address = Address.parse(smsc)
    if address.is_alphanumeric:
        raise InvalidInputError(f"SMSC {smsc!r} must be a phone number, e.g. '+15550000000'")
    value = encode_digits(_digits_of(address))
    return bytes([len(value) + 1, address.type_of_address]) + value


def _digits_of(address: Address) -> str:
    digits = address.number.removeprefix("+")
    if not digits or len(digits) > MAX_DIGITS or not is_digit_string(digits):
        raise InvalidInputError(
            f"address {address.number!r} cannot be encoded: it needs 1-{MAX_DIGITS} of "
            "0-9 * # (with an optional leading '+')"
        )
    return digits


def decode_address(reader: Reader, field: str) -> Address:
    """Read an address field (length in semi-octets) at the cursor."""
    semi_octets = reader.octet(f"{field} length")
    if semi_octets > MAX_DIGITS:
        raise MalformedPduError(f"{field} length {semi_octets} exceeds {MAX_DIGITS} semi-octets")
    toa = reader.octet(f"{field} type of address")
    value = reader.take((semi_octets + 1) // 2, field)
    if toa & _TON_MASK == _TON_ALPHANUMERIC:
        # Useful semi-octets -> whole septets, as AOSP GsmSmsAddress reads it.
        return Address(decode_gsm7(unpack_septets(value, semi_octets * 4 // 7)), toa)
    return _number_address(decode_digits(value, semi_octets), toa)


def decode_smsc(reader: Reader) -> Address | None:
    """Read the SMSC field (length in octets, TOA included); None when it is empty."""
    octets = reader.octet("SMSC length")
    if octets == 0:
        return None
    if octets > _MAX_SMSC_OCTETS:
        raise MalformedPduError(f"SMSC length {octets} exceeds {_MAX_SMSC_OCTETS} octets")
    toa = reader.octet("SMSC type of address")
    value = reader.take(octets - 1, "SMSC address")
    if toa & _TON_MASK == _TON_ALPHANUMERIC:
        return Address(decode_gsm7(unpack_septets(value, len(value) * 8 // 7)), toa)
    return _number_address(decode_digits(value, 2 * len(value)), toa)


def _number_address(digits: str, toa: int) -> Address:
    if toa & _TON_MASK == _TON_INTERNATIONAL:
        return Address("+" + digits, toa)
    return Address(digits, toa)
