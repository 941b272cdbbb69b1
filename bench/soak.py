"""The seeded fault soak: real `modemd run` and `modemd emulator` processes, K lines,
T minutes of agents sending, the network delivering and faults of every kind, then
every message checked against what the emulated network really saw.

    python bench/soak.py [--lines 4] [--minutes 10] [--seed N]
    python bench/soak.py --recheck FOLDER     # the checks again, on a kept run
    python bench/soak.py --daemon-source DIR  # soak the daemon of another checkout
    python bench/soak.py --minutes 1 --seed 715 --pace 1.5,3,3,20   # the test suite's run

The schedule comes from the seed (process timing does not). Exit status 1 when an
invariant is violated; the temp folder is always kept and printed with the seed:
logs, the database, a transcript per line, both records and the verdict as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from _rig import run
from _soak_check import check
from _soak_plan import Pace
from _soak_run import Settings, soak
from _soak_table import render, violations_text


def _pace(text: str) -> Pace:
    try:
        return Pace(*(float(x) for x in text.split(",")))
    except (TypeError, ValueError) as error:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give up to four numbers of seconds, e.g. 2,4,6,25") from error


def recheck(folder: Path) -> int:
    """Check a kept run again (after changing a check, say), without running anything."""
    records = [json.loads((folder / name).read_text())
               for name in ("emulator.json", "database.json", "log.json")]
    verdict = check(*records)
    print("\n".join(violations_text(verdict["violations"])))
    return 1 if verdict["violations"] else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--lines", type=int, default=4)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=None, help="default: a random one")
    parser.add_argument("--settle", type=float, default=150.0,
                        help="at most this many seconds for the end to go quiet")
    parser.add_argument("--recheck", type=Path, default=None, metavar="FOLDER")
    parser.add_argument("--pace", type=_pace, default=Pace(), metavar="A,N,F,D",
                        help="mean seconds between actions of the agents, the network, the "
                        "faults and the daemon events [default: 2,4,6,25; the test suite's "
                        "minute: 1.5,3,3,20]")
    parser.add_argument("--daemon-source", type=Path, default=None, metavar="DIR",
                        help="run the daemon from the modemd sources in DIR (e.g. an "
                        "unpacked release) against this emulator and these checks")
    args = parser.parse_args()
    if args.recheck is not None:
        sys.exit(recheck(args.recheck))
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    outcome = soak(Settings(seed=seed, lines=args.lines, minutes=args.minutes, pace=args.pace,
                            settle_timeout=args.settle, daemon_source=args.daemon_source))
    print(render(outcome.verdict, seed=seed, lines=args.lines, minutes=args.minutes,
                 wall=outcome.wall, settle=outcome.settle, quiet=outcome.settled,
                 folder=str(outcome.folder)))
    if outcome.verdict["violations"]:
        print(f"\nFAILED: seed {seed}; logs, database and transcripts in {outcome.folder}")
        sys.exit(1)


if __name__ == "__main__":
    run(main)
