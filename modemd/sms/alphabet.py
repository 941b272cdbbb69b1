"""GSM 7-bit default alphabet and its extension table (TS 23.038 clause 6.2.1).

Our own tables: gsmmodem.pdu puts a backtick where § belongs (0x5F) and maps ÿ to a
non-character in its extension table, so neither of its tables can be used.
"""

from modemd.errors import InvalidInputError

ESCAPE = 0x1B

# Index = septet value. 0x1B is the escape to the extension table (decoded separately).
DEFAULT_TABLE = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)

# Septet after ESC -> character. 0x0A is the page break (form feed).
EXTENSION_TABLE = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}

_DEFAULT_CODES = {char: code for code, char in enumerate(DEFAULT_TABLE) if code != ESCAPE}
_EXTENSION_CODES = {char: code for code, char in EXTENSION_TABLE.items()}


def septet_cost(char: str) -> int | None:
    """Septets one character takes in GSM-7 (2 for extension chars), None if not encodable."""
    if char in _DEFAULT_CODES:
        return 1
    if char in _EXTENSION_CODES:
        return 2
    return None


def is_gsm7(text: str) -> bool:
    """True when every character is in the default or the extension table."""
    return all(septet_cost(char) is not None for char in text)


def encode_gsm7(text: str) -> list[int]:
    """Text -> septet values (unpacked); extension characters become ESC + code."""
    septets: list[int] = []
    for position, char in enumerate(text):
        if char in _DEFAULT_CODES:
            septets.append(_DEFAULT_CODES[char])
        elif char in _EXTENSION_CODES:
            septets.extend((ESCAPE, _EXTENSION_CODES[char]))
        else:
            raise InvalidInputError(
                f"character {char!r} (U+{ord(char):04X}) at position {position} is not in the "
                "GSM 7-bit alphabet; send the text as UCS-2 or leave the character out"
            )
    return septets


def decode_gsm7(septets: list[int]) -> str:
    """Septet values -> text. Never raises: unknown escapes read as 23.038 says."""
    chars: list[str] = []
    escaped = False
    for septet in septets:
        if escaped:
            chars.append(_extension_char(septet))
            escaped = False
        elif septet == ESCAPE:
            escaped = True
        else:
            chars.append(DEFAULT_TABLE[septet & 0x7F])
    if escaped:  # a dangling ESC: 23.038 says display a space
        chars.append(" ")
    return "".join(chars)


def _extension_char(septet: int) -> str:
    # 23.038: ESC ESC displays a space; any other unknown code shows the default-table character.
    if septet == ESCAPE:
        return " "
    return EXTENSION_TABLE.get(septet, DEFAULT_TABLE[septet & 0x7F])
