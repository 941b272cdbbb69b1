"""Generated PDUs through both decoders, and a sample through the receiver into a Store.

bench/fuzz.py runs 10^5 (another seed); `python bench/fuzz.py --only pdu --seed 7
--index N` replays a failure named here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from modemd.store import Store

from .pdu_check import QuarantineSample
from .runner import fuzz_pdus


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[QuarantineSample]:
    store = Store(tmp_path / "fuzz.db")
    yield QuarantineSample(store)
    store.close()


def test_decoders_never_raise_and_quarantine_what_they_cannot_read(
        sample: QuarantineSample) -> None:
    tally = fuzz_pdus(seed=7, count=4000, sample=sample, every=20)
    assert tally.failed == 0, "\n".join(map(str, tally.failures))
    counts = tally.counts
    assert min(counts["sc Deliver"], counts["sc StatusReport"], counts["ms Submit"]) > 200
    assert counts["sc Undecodable"] > 1000
    assert sample.quarantined > 50 and sample.recorded["Deliver"] > 10
