"""CLI start-up: wall time of `modemd send` and `modemd inbox` as fresh processes.

Each sample is one new interpreter running `python -m modemd ...` to its exit, timed
from the spawn (time.perf_counter around subprocess.run), after --warmup unmeasured
rounds (the page cache warm, the .pyc files written). The commands take turns, one
run each per round, so a busy machine slows them all alike; the CPU time (user +
system) of each child is shown beside the wall time, and moves less with the load;
the minimum is what a run undisturbed by other work takes.

`send` queues into a temp database with --db (created by the warm-up), a new agent
(--operator) each round so that [pace] lets it through; `inbox` lists a temp database
holding --rows received messages recorded through the store API. `python -c pass` is
the floor every command pays, and `import click` the part of what is left that the
command line's framework takes.

--python picks the interpreter, e.g. a fresh venv's (`python -m venv V && V/bin/pip
install .`), which is what a newcomer gets; given twice (before and after a change),
both are timed in the same rounds. Whether numpy is importable is printed: where it
is, sqlite_utils loads it, but modemd imports sqlite_utils only to migrate.
Targets: send <= 120 ms, inbox <= 150 ms (median wall).

    python bench/cli_startup.py [--runs 20] [--warmup 3] [--rows 200] [--python PATH ...]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
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


def sample(argv: list[str], cwd: str) -> tuple[float, float]:
    """(wall ms, CPU ms) of one fresh process, which must exit 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False,
                          cwd=cwd)  # no ./modemd.toml there
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def timed(commands: dict[tuple[int, str], list[str]], runs: int, warmup: int,
          cwd: str) -> dict[tuple[int, str], list[tuple[float, float]]]:
    """Each command's (wall, CPU) samples, the commands taking turns round by round;
    "{n}" in an argument becomes the round's number."""
    samples: dict[tuple[int, str], list[tuple[float, float]]] = {key: [] for key in commands}
    for index in range(warmup + runs):
        for key, argv in commands.items():
            measured = sample([arg.replace("{n}", f"{index:04d}") for arg in argv], cwd)
            if index >= warmup:
                samples[key].append(measured)
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


def report(name: str, samples: list[tuple[float, float]]) -> None:
    walls, cpus = [wall for wall, _ in samples], [cpu for _, cpu in samples]
    median = statistics.median(walls)
    target = TARGETS_MS.get(name)
    goal = "" if target is None else (
        f"   target <= {target:g} ms: {'met' if median <= target else 'NOT met'}")
    print(f"  {name:<12} median {median:6.1f} ms   min {min(walls):6.1f} ms   p90 "
          f"{p90(walls):6.1f} ms   CPU median {statistics.median(cpus):6.1f} ms{goal}")


def commands_of(python: str, folder: Path, label: str, rows: int) -> dict[str, list[str]]:
    """What is timed for one interpreter, its databases made by its own modemd."""
    send_db, inbox_db = folder / f"send-{label}.db", folder / f"inbox-{label}.db"
    subprocess.run([python, __file__, "--seed", str(inbox_db), "--rows", str(rows)],
                   check=True)
    modemd = [python, "-m", "modemd"]
    # an agent per round: [pace] lets one agent send once a second
    send = [*modemd, "send", "--db", str(send_db), "--operator"]
    return {
        "python pass": [python, "-c", "pass"],
        "import click": [python, "-c", "import click"],
        "send": [*send, "bench-{n}", "+12015553000", "start-up"],
        "inbox": [*modemd, "inbox", "--db", str(inbox_db)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rows", type=int, default=200, help="received messages in inbox's DB")
    parser.add_argument("--python", action="append",
                        help="an interpreter to time (again for another, timed in the same "
                        "rounds: before and after) [default: this one]")
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args()
    if args.seed:
        seed_inbox(args.seed, args.rows)
        return
    pythons = args.python or [sys.executable]
    with tempfile.TemporaryDirectory(prefix="modemd-bench-startup-") as folder:
        os.environ.pop("MODEMD_CONFIG", None)  # the same defaults for every run
        # the warm-up writes .pyc files (into the temp folder, not the source tree), as a
        # user's first run does; without them a source checkout compiles every time
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(folder, "pycache"))
        commands = {(index, name): argv for index, python in enumerate(pythons)
                    for name, argv in commands_of(python, Path(folder), str(index),
                                                     args.rows).items()}
        print(f"{args.runs} runs after {args.warmup} warm-up, load average "
              f"{os.getloadavg()[0]:.2f}")
        samples = timed(commands, args.runs, args.warmup, folder)
        for index, python in enumerate(pythons):
            print(f"{python}: numpy {'installed' if has_numpy(python) else 'absent'}")
            for name in ("python pass", "import click", "send", "inbox"):
                report(name, samples[index, name])


if __name__ == "__main__":
    run(main)
