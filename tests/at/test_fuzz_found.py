"""Defects the AT fuzz (tests/fuzz, bench/fuzz.py) found, each pinned by its own example."""

from __future__ import annotations

import pytest

from modemd.at import CmeError, CmsError, Urc
from modemd.at.lines import LineSplitter
from modemd.at.pending import Pending
from modemd.at.results import final_result, is_register_value
from modemd.at.router import Router


def routed(data: bytes, pending: Pending) -> list[Urc]:
    router, splitter = Router("found"), LineSplitter()
    router.start(pending)
    return [u for e in splitter.feed(data) if (u := router.route(e)) is not None]


# bench/fuzz.py --only at --seed 1 --index 0: "+CMS ERROR: ²" raised ValueError out of the
# router (str.isdigit() is true for "²", int() refuses it), so the channel's reader dropped
# the rest of that read, URCs included, and the command waited for its timeout.
@pytest.mark.parametrize(("line", "error"), [
    ("+CMS ERROR: \u00b2", CmsError),  # superscript two
    ("+CME ERROR: \uff15", CmeError),  # full-width 5: int() would read it as 5
    ("+CMS ERROR: 4\u0662", CmsError),  # Arabic-Indic 2: int() would read 42
])
def test_a_code_of_non_ascii_digits_is_text_no_table_knows(line: str, error: type) -> None:
    pending = Pending("AT+CMGS=23", None, False)
    urcs = routed(f"\r\n{line}\r\n\r\n+CMTI: \"SM\",4\r\n".encode(), pending)
    with pytest.raises(error) as raised:
        pending.result()
    assert raised.value.code == -1 and raised.value.text == line.split(":", 1)[1].strip()
    assert urcs == [Urc("+CMTI", '"SM",4')]


def test_ascii_codes_still_read_as_numbers() -> None:
    assert final_result("+CMS ERROR: 0330", "AT").code == 330  # type: ignore[union-attr]


# bench/fuzz.py --only at --seed 1 --index 14: wavecom's "+WIND: 4" (fixtures/profiles/
# wavecom.toml) inside an AT+CMGL answer was taken as the answer's line, between a +CMGL
# header and its PDU, so the listing skipped that message; outside a command it was an
# unknown line.
def test_a_wavecom_wind_inside_an_answer_is_a_urc() -> None:
    pending = Pending("AT+CMGL=4", "+CMGL", False)
    urcs = routed(b"\r\n+CMGL: 2,0,,25\r\n\r\n+WIND: 4\r\n\r\n0006D60B91\r\n\r\nOK\r\n", pending)
    assert pending.result() == ["+CMGL: 2,0,,25", "0006D60B91"]
    assert urcs == [Urc("+WIND", "4")]


# bench/fuzz.py --only at --seed 1 --index 431: a noise line "1²" (isdigit() is true for it)
# passed for ATS3?'s "013", so the resync was proven by noise; an OK before the real "013"
# (the ESC's, or a forgiven command's late one) then passed for the resync's own, and the
# resync's real answer landed on the next command.
def test_noise_of_non_ascii_digits_does_not_prove_a_resync() -> None:
    router, splitter = Router("found"), LineSplitter()
    sync = Pending("ATS3?", None, False, proof=is_register_value)
    router.start(sync)
    for event in splitter.feed(b"\r\n\xc2\xb2\r\n\r\nOK\r\n"):  # noise, then a late OK
        router.route(event)
    assert not sync.done.is_set()
    for event in splitter.feed(b"\r\n013\r\n\r\nOK\r\n"):
        router.route(event)
    assert sync.result() == []
