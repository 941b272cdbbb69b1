"""Inbound latency: the modem's `+CMTI` -> the message committed in SQLite.

Real processes: `modemd emulator` (1 line, zero delays) and `modemd run`. Each sample
injects one text into the line (the emulator's control socket); the start point is
the emulator's transcript entry (tx, containing +CMTI), stamped with time.time() in
the emulator process. Two end points, same machine clock:

* committed: when this process, reading the database in a tight loop (1 ms sleeps,
  its own read-only connection), first sees the row: an upper bound;
* stamped: the row's created_at, taken by the daemon as its write begins (the
  commit and its fsync come after it): a lower bound.

Between samples the daemon is idle. The daemon's path is +CMTI -> AT+CPMS -> AT+CMGR
-> commit -> AT+CMGD. Target (issue 4): inbound <= 15 ms.

    python bench/inbound_latency.py [--samples 30]
"""

from __future__ import annotations

import argparse
import random
import time

from _rig import outside_numbers, parse_time, read_only, rig, run, summary

TARGET_MS = 15.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    sender = outside_numbers(1)[0]
    committed, stamped = [], []
    with rig("modemd-bench-inbound-") as running:
        running.start_emulator(1)
        running.start_daemon(1)
        running.wait_lines_ok(1)
        time.sleep(1.0)  # start-up sweep and monitor done: idle
        with read_only(running.db) as conn:
            last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM messages").fetchone()[0]
            for i in range(args.samples):
                started = time.time()
                running.control.call("inject", line="line1", sender=sender, text=f"in {i}")
                deadline = time.monotonic() + 10
                while (row := conn.execute(
                        "SELECT id, created_at FROM messages WHERE direction = 'in' AND id > ? "
                        "ORDER BY id LIMIT 1", (last,)).fetchone()) is None:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"inbound {i} not stored\n{running.daemon.log_tail()}")
                    time.sleep(0.001)
                seen = time.time()
                last = row[0]
                entries = running.control.call("transcript", line="line1", since=started)
                cmti = next(e["time"] for e in entries
                            if e["dir"] == "tx" and "+CMTI" in e["text"])
                committed.append((seen - cmti) * 1000)
                stamped.append((parse_time(row[1]) - cmti) * 1000)
                time.sleep(random.uniform(0.2, 0.4))  # CMGD done, idle again
            left = running.control.call("storage", line="line1")
    on_sim = sum(len(v) for v in left.values())
    print(f"inbound latency, +CMTI on the wire -> row in SQLite, {args.samples} samples "
          f"({on_sim} left on the SIM)")
    print(f"  committed (seen by a reader): {summary(committed)}   (target <= {TARGET_MS:g} ms)")
    print(f"  stamped (row's created_at):   {summary(stamped)}")


if __name__ == "__main__":
    run(main)
