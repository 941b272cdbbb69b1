"""Injection with the parts chosen: a duplicated part (a retransmission), a late part."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from modemd.errors import InvalidInputError
from modemd.sms import Deliver, decode_from_sc

CMT = re.compile(rb"\r\n\+CMT: ,(\d+)\r\n([0-9A-F]+)\r\n")
LONG = "".join(f"part text {n:03d} " for n in range(30))  # 420 GSM-7 chars: 3 parts
SENDER = "+15551112222"


def _pdus(dte, count: int) -> list[str]:
    return [CMT.fullmatch(dte.read_until(CMT)).group(2).decode() for _ in range(count)]


def _sequence(pdu: str) -> int:
    message = decode_from_sc(pdu)
    assert isinstance(message, Deliver)
    return message.concat.sequence


@pytest.fixture
def dte(bench):
    line = bench.line()
    line.setup("AT+CNMI=2,2,0,0,0")
    return line


def test_parts_in_the_order_given_with_a_repeat_as_the_same_pdu(bench, dte):
    result = bench.rig.inject(dte.name, SENDER, LONG, reference=5, parts=[3, 1, 1, 2])
    assert result["sent"] == [3, 1, 1, 2] and result["parts"] == 3
    pdus = _pdus(dte, 4)
    assert [_sequence(p) for p in pdus] == [3, 1, 1, 2]
    assert pdus[1] == pdus[2]  # a retransmission, byte for byte
    dte.silent(0.1)


def test_a_late_part_with_the_first_time_stamp_completes_the_message(bench, dte):
    first = bench.rig.inject(dte.name, SENDER, LONG, reference=9, parts=[1, 3])
    early = _pdus(dte, 2)
    late = bench.rig.inject(dte.name, SENDER, LONG, reference=9, parts=[2],
                            timestamp=first["timestamp"])
    assert late["timestamp"] == first["timestamp"]
    (missing,) = _pdus(dte, 1)
    whole = bench.rig.inject(dte.name, SENDER, LONG, reference=9,
                             timestamp=first["timestamp"])
    assert whole["sent"] == [1, 2, 3]
    assert sorted([*early, missing], key=_sequence) == _pdus(dte, 3)
    texts = [decode_from_sc(p).text for p in sorted([*early, missing], key=_sequence)]
    assert "".join(texts) == LONG


def test_a_given_time_stamp_is_the_service_centre_time(bench, dte):
    bench.rig.inject(dte.name, SENDER, "stamped", timestamp="2026-03-04T05:06:07+00:00")
    message = decode_from_sc(_pdus(dte, 1)[0])
    assert message.service_centre_time == datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.mark.parametrize("options", [
    {"parts": [4]}, {"parts": [0]}, {"parts": []}, {"parts": [1], "shuffle": True},
    {"parts": [1], "drop": 2}, {"timestamp": "yesterday"},
])
def test_bad_parts_or_time_stamp_are_refused_and_nothing_is_sent(bench, dte, options):
    with pytest.raises(InvalidInputError):
        bench.rig.inject(dte.name, SENDER, LONG, **options)
    dte.silent(0.15)
