"""Septet packing (TS 23.038 clause 6.1.2.1) and semi-octet (swapped nibble) helpers.

Our own: gsmmodem.pdu.unpackSeptets drops a final '@' (septet 0) when the septets fill the
last octet exactly, and its pack/unpack only accept some iterable types. Packing is just
septet i at bit 7*i (+ fill bits) of one little-endian integer.
"""

# Semi-octet digit values (TS 23.040 clause 9.1.2.3); 0xF is the fill nibble.
_DIGITS = "0123456789*#abc"
_DIGIT_VALUES = {char: value for value, char in enumerate(_DIGITS)}
FILL_NIBBLE = 0xF


def pack_septets(septets: list[int], fill_bits: int = 0) -> bytes:
    """Pack 7-bit values into octets, the first one starting `fill_bits` bits in."""
    value = 0
    for index, septet in enumerate(septets):
        value |= (septet & 0x7F) << (fill_bits + 7 * index)
    bit_count = fill_bits + 7 * len(septets)
    return value.to_bytes((bit_count + 7) // 8, "little")


def unpack_septets(data: bytes, count: int, fill_bits: int = 0) -> list[int]:
    """The first `count` septets of `data` after `fill_bits` bits; missing bits read as 0."""
    value = int.from_bytes(data, "little") >> fill_bits
    return [(value >> (7 * index)) & 0x7F for index in range(count)]


def packed_length(septet_count: int) -> int:
    """Octets that `septet_count` packed septets occupy."""
    return (7 * septet_count + 7) // 8


def encode_digits(digits: str) -> bytes:
    """'12345' -> semi-octets 21 43 F5 (low nibble first, F fill). Caller validated chars."""
    nibbles = [_DIGIT_VALUES[char] for char in digits]
    if len(nibbles) % 2:
        nibbles.append(FILL_NIBBLE)
    return bytes(low | (high << 4) for low, high in zip(nibbles[::2], nibbles[1::2], strict=True))


def decode_digits(data: bytes, count: int) -> str:
    """The first `count` semi-octets of `data` as digits; fill nibbles (F) are skipped."""
    nibbles = [nibble for octet in data for nibble in (octet & 0x0F, octet >> 4)]
    return "".join(_DIGITS[nibble] for nibble in nibbles[:count] if nibble != FILL_NIBBLE)


def is_digit_string(text: str) -> bool:
    """True when every char can be a semi-octet digit (0-9 * # a b c)."""
    return all(char in _DIGIT_VALUES for char in text)


def decode_bcd(octet: int) -> int | None:
    """Swapped BCD octet -> 0..99 (low nibble is the tens digit), None if not BCD."""
    tens, units = octet & 0x0F, octet >> 4
    if tens > 9 or units > 9:
        return None
    return tens * 10 + units


def encode_bcd(value: int) -> int:
    """0..99 -> swapped BCD octet."""
    return (value // 10) | ((value % 10) << 4)
