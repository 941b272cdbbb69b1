"""The keyword rule: a whole message that is one keyword word, whatever its case and the
spaces and punctuation around it; anything more is a sentence for a person."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modemd.store import Keyword, keyword
from modemd.store.keywords import WORDS

OPT_OUT = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]


@pytest.mark.parametrize("word", OPT_OUT)
def test_each_opt_out_word_opts_out(word: str) -> None:
    assert keyword(word) is Keyword.STOP
    assert keyword(word.lower()) is Keyword.STOP


@pytest.mark.parametrize("text", ["Stop.", " stop!! ", "STOP", "\tStOp\n", "...quit?", "(end)"])
def test_case_spaces_and_punctuation_around_are_ignored(text: str) -> None:
    assert keyword(text) is Keyword.STOP


@pytest.mark.parametrize(("text", "meaning"), [("START", Keyword.START), ("unstop!", Keyword.START),
                                               ("Help?", Keyword.HELP), (" help ", Keyword.HELP)])
def test_start_and_help(text: str, meaning: Keyword) -> None:
    assert keyword(text) is meaning


@pytest.mark.parametrize("text", ["please stop", "stop it", "don't stop", "stopping", "st op",
                                  "STOP2", "", "  ", "[…]", "stop stop", "help me", "ok"])
def test_anything_more_than_the_word_is_no_keyword(text: str) -> None:
    assert keyword(text) is None


_AROUND = st.text(alphabet=" \t\n.,!?;:-*()'\"", max_size=6)


@given(st.sampled_from(sorted(WORDS)), _AROUND, _AROUND,
       st.lists(st.booleans(), min_size=11, max_size=11))
def test_any_casing_and_punctuation_around_keeps_the_meaning(
        word: str, before: str, after: str, upper: list[bool]) -> None:
    cased = "".join(c.upper() if u else c.lower() for c, u in zip(word, upper, strict=False))
    assert keyword(before + cased + after) is WORDS[word]


@given(st.sampled_from(sorted(WORDS)), st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1,
                                                max_size=8))
def test_another_word_beside_it_makes_a_sentence(word: str, other: str) -> None:
    assert keyword(f"{other} {word}") is None
    assert keyword(f"{word} {other}") is None
