"""Splitting text into SMS parts (TS 23.040 clause 9.2.3.24.1, TS 23.038 clause 6.2)."""

import random
from dataclasses import dataclass

from modemd.errors import InvalidInputError
from modemd.sms.alphabet import is_gsm7, septet_cost
from modemd.sms.dcs import Encoding
from modemd.sms.userdata import Concat, UserData, build_user_data

MAX_PARTS = 255
# (single part, per part with 8-bit reference); a 16-bit reference costs one more unit.
_CAPACITY = {Encoding.GSM7: (160, 153), Encoding.UCS2: (70, 67)}


@dataclass(frozen=True)
class SplitPlan:
    """How a text goes out: one encoding for all parts, and each part's text."""

    encoding: Encoding
    parts: tuple[str, ...]


def split_text(text: str, wide_reference: bool = False) -> SplitPlan:
    """Split as a phone would: GSM-7 if every character allows it, else UCS-2.

    Parts never end inside an escape pair or a surrogate pair: we cut between characters,
    and each character's cost (1-2 septets, 1-2 UTF-16 units) stays in one part.
    """
    _reject_lone_surrogates(text)
    encoding = Encoding.GSM7 if is_gsm7(text) else Encoding.UCS2
    costs = [_cost(char, encoding) for char in text]
    single, per_part = _CAPACITY[encoding]
    if sum(costs) <= single:
        return SplitPlan(encoding, (text,))
    parts = _cut(text, costs, per_part - (1 if wide_reference else 0))
    if len(parts) > MAX_PARTS:
        raise InvalidInputError(
            f"text needs {len(parts)} SMS parts ({encoding.value}); at most {MAX_PARTS} can be "
            "concatenated; shorten it or send it as several messages"
        )
    return SplitPlan(encoding, tuple(parts))


def _cost(char: str, encoding: Encoding) -> int:
    if encoding is Encoding.GSM7:
        return septet_cost(char) or 0  # is_gsm7 guaranteed a cost
    return 2 if ord(char) > 0xFFFF else 1  # non-BMP: a surrogate pair


def _cut(text: str, costs: list[int], capacity: int) -> list[str]:
    parts: list[str] = []
    start, used = 0, 0
    for index, cost in enumerate(costs):
        if used + cost > capacity:
            parts.append(text[start:index])
            start, used = index, 0
        used += cost
    parts.append(text[start:])
    return parts


def _reject_lone_surrogates(text: str) -> None:
    for position, char in enumerate(text):
        if 0xD800 <= ord(char) <= 0xDFFF:
            raise InvalidInputError(
                f"text contains a lone surrogate U+{ord(char):04X} at position {position}; "
                "it is not a character and cannot be sent; remove it"
            )


def deliver_user_data(
    text: str,
    *,
    reference: int | None = None,
    wide_reference: bool = False,
    rng: random.Random | None = None,
) -> list[UserData]:
    """Split `text` like a phone and build each part's user data (concat header if > 1 part)."""
    plan = split_text(text, wide_reference)
    total = len(plan.parts)
    if total == 1:
        return [build_user_data(plan.parts[0], plan.encoding, None)]
    ref = _reference(reference, wide_reference, rng)
    return [
        build_user_data(part, plan.encoding, Concat(ref, total, number, wide_reference))
        for number, part in enumerate(plan.parts, start=1)
    ]


def _reference(reference: int | None, wide: bool, rng: random.Random | None) -> int:
    limit = 0xFFFF if wide else 0xFF
    if reference is None:
        # A fresh random reference per message, never the TP-MR: handsets join by it.
        return (rng or random.Random()).randint(0, limit)
    if not 0 <= reference <= limit:
        raise InvalidInputError(
            f"concatenation reference {reference} is out of range 0-{limit}"
            + ("" if wide else "; pass wide_reference=True for 16-bit references")
        )
    return reference
