"""The carrier keywords of person-to-person SMS: a whole message that is one of these
words opts its sender out, back in, or asks for help. Pure text rules, no database."""

from __future__ import annotations

import re
from enum import StrEnum


class Keyword(StrEnum):
    STOP = "stop"  # opts the sender out: nothing more may be sent to them
    START = "start"  # opts them back in
    HELP = "help"  # flagged to agents; modemd never answers by itself


WORDS = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"), Keyword.STOP),
    **dict.fromkeys(("START", "UNSTOP"), Keyword.START),
    "HELP": Keyword.HELP,
}
# One word, with any spaces and punctuation around it ("Stop.", " stop!! "); "please
# stop" is a sentence a person should read, not a keyword.
_ALONE = re.compile(r"[\W_]*([^\W\d_]+)[\W_]*")


def keyword_word(text: str) -> str | None:
    """The keyword as the sender wrote it, upper case ("STOP", "UNSUBSCRIBE"), or None."""
    match = _ALONE.fullmatch(text)
    word = match.group(1).upper() if match else None
    return word if word in WORDS else None


def keyword(text: str) -> Keyword | None:
    """What the whole message means, if it is a keyword."""
    word = keyword_word(text)
    return None if word is None else WORDS[word]
