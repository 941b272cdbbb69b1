"""GSM-7 default and extension tables against TS 23.038 6.2.1 as AOSP's GsmSmsTest spells it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modemd.errors import InvalidInputError
from modemd.sms.alphabet import (
    DEFAULT_TABLE,
    ESCAPE,
    EXTENSION_TABLE,
    decode_gsm7,
    encode_gsm7,
    is_gsm7,
    septet_cost,
)

# AOSP GsmSmsTest.sBasicTables[0]: the default alphabet with ESC shown as '@'.
AOSP_DEFAULT = (
    "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5\u0394_"
    "\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e@\u00c6\u00e6\u00df\u00c9"
    " !\"#\u00a4%&'()*+,-./0123456789:;<=>?\u00a1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6"
    "\u00d1\u00dc\u00a7\u00bfabcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0"
)
AOSP_EXTENSION = "\f^{}\\[~]|\u20ac"
AOSP_EXTENSION_CODES = (0x0A, 0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65)
GSM7_CHARS = sorted({c for c in DEFAULT_TABLE if c != "\x1b"} | set(EXTENSION_TABLE.values()))


def test_default_table_matches_aosp() -> None:
    septets = [0 if code == ESCAPE else code for code in range(128)]
    assert decode_gsm7(septets) == AOSP_DEFAULT
    assert DEFAULT_TABLE[0x5F] == "§"
    assert "`" not in DEFAULT_TABLE


def test_extension_table_matches_aosp() -> None:
    septets = [s for code in AOSP_EXTENSION_CODES for s in (ESCAPE, code)]
    assert decode_gsm7(septets) == AOSP_EXTENSION
    assert encode_gsm7(AOSP_EXTENSION) == septets


def test_unknown_escapes_read_as_23038_says() -> None:
    # ESC + unmapped code shows the default-table char; ESC ESC and a dangling ESC show a space.
    assert decode_gsm7([ESCAPE, 0x41]) == "A"
    assert decode_gsm7([ESCAPE, ESCAPE]) == " "
    assert decode_gsm7([0x41, ESCAPE]) == "A "


@pytest.mark.parametrize("char", ["^", "{", "}", "\\", "[", "~", "]", "|", "€", "\f"])
def test_extension_chars_cost_two_septets(char: str) -> None:
    assert septet_cost(char) == 2
    assert encode_gsm7(char)[0] == ESCAPE


@pytest.mark.parametrize("char", ["`", "ÿ", "ç", "😀", "\x1b", "\t", "á"])
def test_chars_outside_gsm7_are_refused_with_a_reason(char: str) -> None:
    assert septet_cost(char) is None
    assert not is_gsm7("abc" + char)
    with pytest.raises(InvalidInputError, match="not in the GSM 7-bit alphabet"):
        encode_gsm7("abc" + char)


@given(st.text(alphabet=GSM7_CHARS))
def test_gsm7_text_round_trips(text: str) -> None:
    septets = encode_gsm7(text)
    assert decode_gsm7(septets) == text
    assert len(septets) == sum(septet_cost(char) or 0 for char in text)


@given(st.lists(st.integers(0, 127)))
def test_any_septets_decode(septets: list[int]) -> None:
    assert isinstance(decode_gsm7(septets), str)
