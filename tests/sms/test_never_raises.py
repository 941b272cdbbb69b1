"""decode_from_sc / decode_from_ms never raise, whatever they are given."""

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from modemd.sms import Deliver, StatusReport, Submit, Undecodable, decode_from_ms, decode_from_sc

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pdus"
GOOD = [
    vector["pdu"]
    for path in sorted(FIXTURES.glob("*.json"))
    for vector in json.loads(path.read_text(encoding="utf-8"))
    if vector["expect"]["type"] != "Undecodable"
]
RESULTS = (Deliver, StatusReport, Submit, Undecodable)


def check(pdu: object) -> None:
    for has_smsc in (True, False):
        for decoder in (decode_from_sc, decode_from_ms):
            result = decoder(pdu, has_smsc=has_smsc)  # type: ignore[arg-type]
            assert isinstance(result, RESULTS)
            if isinstance(result, Undecodable):
                assert result.reason
                assert "internal decoder error" not in result.reason  # a bug, not bad input
                assert result.pdu == str(pdu)
            else:
                result.__repr__()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_hex_of_arbitrary_bytes(data: bytes) -> None:
    check(data.hex())
    check(data.hex().upper())


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=100))
def test_arbitrary_strings(text: str) -> None:
    check(text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(GOOD), st.data())
def test_mutated_real_pdus(pdu: str, data: st.DataObject) -> None:
    raw = bytearray.fromhex(pdu)
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    check(bytes(raw).hex())
    check(bytes(raw[:cut]).hex())


def test_truncations_of_every_golden_pdu() -> None:
    for pdu in GOOD:
        for cut in range(0, len(pdu) + 1, 2):
            check(pdu[:cut])


def test_non_strings_and_whitespace() -> None:
    for value in (None, b"0011", 17, ["00"]):
        check(value)
    assert isinstance(decode_from_sc("  " + GOOD[0].lower() + "\r\n"), Deliver)
