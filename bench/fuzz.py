"""Fuzzing the AT router and the PDU decoders: 10^5 generated inputs each, fixed seed.

    python bench/fuzz.py [--count 100000] [--seed 1] [--channel-count 2000]
                         [--only at|channel|pdu] [--index I]

* at: modem sessions (commands with their true answers, URCs inside and between them,
  "> " prompts, garbage and non-UTF-8 bytes, late and lost answers) through
  LineSplitter -> Router as the channel's reader drives them, fed whole, in halves,
  byte by byte or in random chunks (a quarter each);
* channel: fewer sessions through a real AtChannel (its threads, its resync) over a
  transport that plays them;
* pdu: valid PDUs from modemd's encoders and fixtures/pdus, then cut, bit-flipped, given
  lying lengths, padded, cased, made non-hex, and noise, through decode_from_sc and
  decode_from_ms; every 50th input a modem line could carry also goes through
  modemd.services.receiver.record into a real Store, whose quarantine is then checked.

Prints inputs/s and counts, and each failure with its seed and index (--index replays one
input in full). Exit status 1 on any failure. The generators and checks are tests/fuzz's;
the test suite runs a few thousand of the same inputs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

# tests/ goes first: "fuzz" must be the tests/fuzz package, not this script in bench/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzz import runner
from fuzz.pdu_check import QuarantineSample

from modemd.store import Store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="inputs for at and pdu")
    parser.add_argument("--channel-count", type=int, default=2000,
                        help="sessions through a real AtChannel")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=runner.STREAMS)
    parser.add_argument("--index", type=int, help="replay this one input of --only")
    args = parser.parse_args()
    if args.index is not None:
        shown = runner.replay(args.only or "at", args.seed, args.index)
        print(shown)
        return 1 if "PROBLEM: none" not in shown else 0
    failed = 0
    for stream in [args.only] if args.only else runner.STREAMS:
        count = args.channel_count if stream == "channel" else args.count
        tally = run(stream, args.seed, count)
        for failure in tally.failures:
            print(f"  FAIL {failure}")
        if tally.failed > len(tally.failures):
            print(f"  ... {tally.failed - len(tally.failures)} more failures")
        failed += tally.failed
    print(f"seed {args.seed}: {'FAILED' if failed else 'no failures'}")
    return 1 if failed else 0


def run(stream: str, seed: int, count: int) -> runner.Tally:
    if stream != "pdu":
        tally = runner.FUZZERS[stream](seed, count)
        show_session_tally(tally)
        return tally
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "fuzz.db")
        try:
            sample = QuarantineSample(store)
            tally = runner.fuzz_pdus(seed, count, sample=sample)
        finally:
            store.close()
    show_pdu_tally(tally, sample)
    return tally


def _some(counts: dict[str, int], prefix: str) -> str:
    return ", ".join(f"{key.removeprefix(prefix)} {value}"
                     for key, value in sorted(counts.items()) if key.startswith(prefix))


def show_session_tally(tally: runner.Tally) -> None:
    title = {"at": "AT router (LineSplitter -> Router)", "channel": "AtChannel (played modem)"}
    c = tally.counts
    print(f"{title[tally.stream]}: {tally.inputs} sessions, {c['bytes'] / 1e6:.1f} MB, "
          f"in {tally.seconds:.1f} s = {tally.rate:.0f} sessions/s "
          f"({c['bytes'] / tally.seconds / 1e6:.2f} MB/s)")
    print(f"  split: {_some(c, 'split ')}")
    print(f"  commands {c['commands']} ({_some(c, 'fate ')}), URCs {c['URCs']}, "
          f"garbage lines {c['garbage lines']}")
    print(f"  failures: {tally.failed}")


def show_pdu_tally(tally: runner.Tally, sample: QuarantineSample) -> None:
    c = tally.counts
    print(f"PDU decoders: {tally.inputs} inputs ({2 * tally.inputs} decodes) in "
          f"{tally.seconds:.1f} s = {tally.rate:.0f} inputs/s")
    print(f"  made from: {_some(c, 'origin ')}")
    print(f"  decode_from_sc: {_some(c, 'sc ')}")
    print(f"  decode_from_ms: {_some(c, 'ms ')}")
    reasons = sorted(((v, k) for k, v in c.items() if k.startswith("reason: ")), reverse=True)
    print("  most common reasons: " + "; ".join(
        f"{key.removeprefix('reason: ')} {value}" for value, key in reasons[:8]))
    recorded = ", ".join(f"{kind} {n}" for kind, n in sorted(sample.recorded.items()))
    print(f"  through receiver.record into a Store: {sum(sample.recorded.values())} "
          f"({recorded}); {sample.quarantined} distinct undecodable, each checked in quarantine")
    print(f"  failures: {tally.failed}")


if __name__ == "__main__":
    sys.exit(main())
