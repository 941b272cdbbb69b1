"""`modemd desk` start-up: from spawning it in a real terminal (tmux, 80x24) to its
first screen showing the conversation and the thread.

Each sample starts a new tmux session running `python -m modemd desk --db DB` on a
database holding --rows messages with a few contacts, then reads the pane every 10 ms
until the newest message's text is on it; the session is killed before the next.
The first --warmup samples are not counted (the page cache warm, the .pyc written).
Target: under a second (median).

    python bench/desk_startup.py [--runs 10] [--warmup 2] [--rows 200]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _rig import outside_numbers, p90, run

from modemd.config import Pace
from modemd.desk import sending
from modemd.store import Store

TARGET_MS = 1000.0
NEWEST = "the newest message, on screen"


def seed(db: Path, rows: int) -> None:
    """rows outbound messages to a few contacts, the last one NEWEST."""
    store = Store(db, create=True)
    try:
        peers = outside_numbers(8)
        for n in range(rows):
            text = NEWEST if n == rows - 1 else f"message {n}"
            sending.send(store, peers[n % len(peers)], text, operator="bench",
                         options=sending.Options(pace=Pace(enabled=False)))
    finally:
        store.close()


def sample(tmux: str, db: Path, session: str) -> float:
    """ms from the spawn to NEWEST in the pane."""
    command = f"{sys.executable} -m modemd desk --db {db}"
    started = time.perf_counter()
    subprocess.run([tmux, "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                    command], check=True)
    try:
        while time.perf_counter() - started < 30:
            pane = subprocess.run([tmux, "capture-pane", "-p", "-t", session],
                                  capture_output=True, text=True, check=False).stdout
            if NEWEST in pane:
                return (time.perf_counter() - started) * 1000
            time.sleep(0.01)
        sys.exit(f"`modemd desk` showed no screen within 30 s:\n{pane}")
    finally:
        subprocess.run([tmux, "kill-session", "-t", session], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rows", type=int, default=200)
    options = parser.parse_args()
    tmux = shutil.which("tmux") or sys.exit("tmux is needed: apt-get install tmux")
    with tempfile.TemporaryDirectory(prefix="modemd-desk-start-") as folder:
        db = Path(folder) / "modemd.db"
        seed(db, options.rows)
        times = [sample(tmux, db, f"modemd-bench-{n}")
                 for n in range(options.warmup + options.runs)][options.warmup:]
    median = statistics.median(times)
    print(f"modemd desk, spawn to first screen ({options.rows} messages, 80x24, "
          f"{options.runs} runs): median {median:.0f} ms, p90 {p90(times):.0f} ms, "
          f"min {min(times):.0f} ms; target < {TARGET_MS:.0f} ms: "
          f"{'met' if median < TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    run(main)
