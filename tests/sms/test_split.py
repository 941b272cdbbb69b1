"""Splitting: 160/153 septets, 70/67 UTF-16 units, 152/66 with a 16-bit reference."""

import pytest

from modemd.errors import InvalidInputError
from modemd.sms import Encoding, split_text

DIGITS = "1234567890"


def test_empty_text_is_one_empty_gsm7_part() -> None:
    plan = split_text("")
    assert (plan.encoding, plan.parts) == (Encoding.GSM7, ("",))


def test_160_septets_fit_one_part_161_need_two() -> None:
    # AOSP GsmSmsTest.testFragmentText: 161 characters -> 153 + 8.
    assert split_text(DIGITS * 16).parts == (DIGITS * 16,)
    plan = split_text(DIGITS * 16 + "1")
    assert [len(part) for part in plan.parts] == [153, 8]
    assert "".join(plan.parts) == DIGITS * 16 + "1"


def test_extension_chars_count_twice() -> None:
    assert len(split_text("€" * 80).parts) == 1
    assert [len(part) for part in split_text("€" * 81).parts] == [76, 5]  # 152 + 10 septets


def test_an_escape_pair_is_never_split() -> None:
    plan = split_text("a" * 152 + "€" + "b" * 10)
    assert plan.parts == ("a" * 152, "€" + "b" * 10)


def test_70_units_fit_one_ucs2_part_71_need_two() -> None:
    assert len(split_text("ж" * 70).parts) == 1
    plan = split_text("ж" * 71)
    assert (plan.encoding, [len(p) for p in plan.parts]) == (Encoding.UCS2, [67, 4])


def test_emoji_take_two_units_and_are_never_split() -> None:
    assert len(split_text("😀" * 35).parts) == 1
    plan = split_text("ж" * 66 + "😀" + "ж" * 10)
    assert plan.parts == ("ж" * 66, "😀" + "ж" * 10)


@pytest.mark.parametrize(("text", "sizes"), [
    ("x" * 161, [152, 9]),
    ("ж" * 71, [66, 5]),
])
def test_wide_reference_costs_one_unit_per_part(text: str, sizes: list[int]) -> None:
    assert [len(part) for part in split_text(text, wide_reference=True).parts] == sizes


def test_one_non_gsm_char_makes_the_whole_text_ucs2() -> None:
    assert split_text("hello `world`").encoding is Encoding.UCS2
    assert split_text("hello §world§").encoding is Encoding.GSM7


def test_at_most_255_parts() -> None:
    assert len(split_text("x" * 153 * 255).parts) == 255
    with pytest.raises(InvalidInputError, match="256 SMS parts"):
        split_text("x" * (153 * 255 + 1))
    with pytest.raises(InvalidInputError, match="at most 255"):
        split_text("ж" * (67 * 255 + 1))


def test_lone_surrogate_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="lone surrogate U\\+D83D at position 2"):
        split_text("hi\ud83d")
