"""Generated modem sessions through LineSplitter -> Router and a real AtChannel.

bench/fuzz.py runs 10^5 of the same sessions (other seeds); a failure here names its seed
and index, and `python bench/fuzz.py --only at --seed 7 --index N` replays it in full.
"""

from __future__ import annotations

from .runner import Tally, fuzz_channel, fuzz_router


def report(tally: Tally) -> str:
    return "\n".join(map(str, tally.failures))


def test_every_line_of_generated_sessions_reaches_its_place() -> None:
    tally = fuzz_router(seed=7, count=2500)
    assert tally.failed == 0, report(tally)
    counts = tally.counts
    assert {counts[f"split {plan}"] for plan in ("whole", "halves", "bytes", "random")} == {625}
    assert counts["fate late"] and counts["fate lost"] and counts["garbage lines"] > 5000


def test_generated_sessions_through_a_real_channel() -> None:
    tally = fuzz_channel(seed=7, count=120)
    assert tally.failed == 0, report(tally)
    assert tally.counts["commands"] > 300 and tally.counts["URCs"] > 500
