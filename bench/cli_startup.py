"""CLI start-up: wall time of `modemd send` and `modemd inbox` as fresh processes.

Each sample is one new interpreter running `python -m modemd ...` to its exit, timed
from the spawn (time.perf_counter around subprocess.run), after --warmup unmeasured
runs (the page cache warm, the .pyc files written). `send` queues into a temp
database with --db (created by the warm-up); `inbox` lists a temp database holding
--rows received messages recorded through the store API. `python -c pass` is shown
as the floor every command pays. --python picks the interpreter, e.g. a fresh venv's
(`python -m venv V && V/bin/pip install .`), which is what a newcomer gets; whether
numpy is importable there is printed, since sqlite_utils loads it when present.
Targets: send <= 120 ms, inbox <= 150 ms (median).

    python bench/cli_startup.py [--runs 20] [--warmup 3] [--rows 200] [--python PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _rig import outside_numbers, p90, run

from modemd.sms import decode_from_sc, deliver_user_data, encode_deliver
from modemd.store import LineIdentity, Store

TARGETS_MS = {"send": 120.0, "inbox": 150.0}


def timed(argv: list[str], runs: int, warmup: int, cwd: str) -> list[float]:
    """Wall milliseconds of runs fresh processes; each must exit 0."""
    samples = []
    for index in range(warmup + runs):
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=False,
                              cwd=cwd)  # no ./modemd.toml there
        elapsed = (time.perf_counter() - started) * 1000
        if done.returncode != 0:
            sys.exit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
        if index >= warmup:
            samples.append(elapsed)
    return samples


def seed_inbox(db: Path, rows: int) -> None:
    """rows received messages on one line, from a few contacts, as the daemon records them."""
    store = Store(db)
    try:
        identity = LineIdentity(iccid="89010000000000000001", imsi="310000000000001",
                                imei="350000000000001", own_number="+15551000001")
        line = store.lines.register(identity, name="desk-1", port="/dev/ttyUSB0")
        senders = outside_numbers(10)
        for i in range(rows):
            [user_data] = deliver_user_data(f"reply {i}: thanks, that works",
                                            rng=random.Random(i))
            pdu = encode_deliver(senders[i % len(senders)], user_data,
                                 timestamp=datetime.now(UTC)).pdu
            store.inbox.record(line, pdu, decode_from_sc(pdu))
    finally:
        store.close()


def has_numpy(python: str) -> bool:
    probe = subprocess.run([python, "-c", "import numpy"], capture_output=True, check=False)
    return probe.returncode == 0


def report(name: str, samples: list[float]) -> None:
    target = TARGETS_MS.get(name)
    goal = f"   (target <= {target:g} ms)" if target else ""
    print(f"  {name:<12} median {statistics.median(samples):6.1f} ms   "
          f"p90 {p90(samples):6.1f} ms{goal}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rows", type=int, default=200, help="received messages in inbox's DB")
    parser.add_argument("--python", default=sys.executable, help="the interpreter to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="modemd-bench-startup-") as folder:
        send_db, inbox_db = Path(folder, "send.db"), Path(folder, "inbox.db")
        seed_inbox(inbox_db, args.rows)
        modemd = [args.python, "-m", "modemd"]
        commands = {
            "python pass": [args.python, "-c", "pass"],
            "send": [*modemd, "send", "--db", str(send_db), "--operator", "bench",
                     "+12015553000", "bench start-up"],
            "inbox": [*modemd, "inbox", "--db", str(inbox_db)],
        }
        os.environ.pop("MODEMD_CONFIG", None)  # the same defaults for every run
        print(f"{args.python}: numpy {'installed' if has_numpy(args.python) else 'absent'}; "
              f"{args.runs} runs after {args.warmup} warm-up")
        for name, argv in commands.items():
            report(name, timed(argv, args.runs, args.warmup, folder))


if __name__ == "__main__":
    run(main)
