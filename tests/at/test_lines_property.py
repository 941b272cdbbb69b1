"""LineSplitter against a plain reference model, on arbitrary bytes cut arbitrarily."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from modemd.at.lines import PROMPT, LineSplitter

ALPHABET = b"\r\n >\x00AOK+:\xff\xc3\xa9"
BYTES = st.binary(max_size=200).map(lambda raw: bytes(ALPHABET[b % len(ALPHABET)] for b in raw))
CUTS = st.binary(max_size=12).map(list)  # offsets 0-255 into the data


def reference(data: bytes) -> list[object]:
    """Split at every CR or LF; ">" opening a line is a prompt; blank lines vanish."""
    *ended, tail = re.split(rb"[\r\n]", data)
    events: list[object] = []
    for raw, complete in [*((piece, True) for piece in ended), (tail, False)]:
        piece = raw.lstrip(b" \x00")
        while piece.startswith(b">"):
            events.append(PROMPT)
            piece = piece[1:].lstrip(b" \x00")
        text = piece.replace(b"\x00", b"").decode("utf-8", "replace").strip()
        if text and complete:
            events.append(text)
    return events


def fed(data: bytes, cuts: list[int]) -> list[object]:
    splitter, events, start = LineSplitter(), [], 0
    for cut in sorted(cuts):
        events += splitter.feed(data[start:cut])
        start = max(start, cut)
    return events + splitter.feed(data[start:])


@settings(max_examples=1000, deadline=None)
@given(BYTES, CUTS)
def test_any_bytes_any_cuts_match_the_reference(data: bytes, cuts: list[int]) -> None:
    assert fed(data, cuts) == reference(data)
