"""URCs as the router delivers them, read by modemd.modem.events.interpret: it never raises
and never takes a character that is not an ASCII digit for a number."""

from __future__ import annotations

import random

from modemd.at import Urc
from modemd.at.lines import LineSplitter
from modemd.at.router import Router
from modemd.modem.events import Other, RegistrationChanged, Stored, interpret

PLAIN = ("0", "1", "29", "255", "")
ODD = ("\u00b2", "\u0661\u0662", "\uff15", "1\u00b2")  # str.isdigit() says yes to each
NAMES = ("+CMTI", "+CDSI", "+CREG", "+CGREG", "+CEREG")


def delivered(rng: random.Random, numbers: tuple[str, ...], count: int) -> list[Urc]:
    """count URCs with the given numbers in their fields, through LineSplitter -> Router."""
    wire = bytearray()
    for _ in range(count):
        name, number = rng.choice(NAMES), rng.choice(numbers)
        stored = name in ("+CMTI", "+CDSI")
        value = f'"{rng.choice(("SM", "ME", "SR"))}",{number}' if stored else number
        wire += f"\r\n{name}: {value}\r\n".encode()
    router, splitter = Router("meaning"), LineSplitter()
    urcs = [u for event in splitter.feed(bytes(wire)) if (u := router.route(event))]
    assert len(urcs) == count  # the router delivers each, whatever the numbers look like
    return urcs


def meaning_problems(urcs: list[Urc]) -> list[str]:
    found = []
    for urc in urcs:
        try:
            event = interpret(urc)
        except Exception as error:
            found.append(f"interpret({urc}) raised {error!r}")
            continue
        number = urc.fields[-1] if urc.name in ("+CMTI", "+CDSI") else urc.fields[0]
        is_number = number.isascii() and number.isdigit()
        if isinstance(event, Stored | RegistrationChanged) != is_number:
            found.append(f"interpret({urc}) gave {event}")
        if isinstance(event, Other) and is_number:
            found.append(f"interpret({urc}) did not read its number")
    return found


def test_urcs_with_plain_numbers_mean_what_they_say() -> None:
    assert meaning_problems(delivered(random.Random(7), PLAIN, 3000)) == []


def test_urcs_with_digits_that_are_not_ascii_are_other() -> None:
    assert meaning_problems(delivered(random.Random(7), ODD, 400)) == []
