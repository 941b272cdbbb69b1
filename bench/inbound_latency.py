"""Inbound latency: the modem's `+CMTI` -> the message committed in SQLite.

Real processes: `modemd emulator` (1 line, zero delays) and `modemd run`. Each sample
injects one text into the line (the emulator's control socket); the start point is
the emulator's transcript entry (tx, containing +CMTI), stamped with time.time() in
the emulator process. Three end points, same machine clock:

* committed: when this process, reading the database in a tight loop (0.5 ms sleeps,
  its own read-only connection), first sees the row: an upper bound, by up to one
  poll. The targets are checked against this one;
* deleted: the emulator's transcript entry (rx) of the AT+CMGD that follows; the
  daemon sends it only after its commit returned, so it is an upper bound too (it
  also holds a WAL checkpoint when SQLite runs one in that commit);
* stamped: the row's created_at, taken by the daemon as its write begins (the
  commit and its fsync come after it): a lower bound.

Between samples the daemon is idle. --history N first stores N older inbound
messages (one transaction, before the daemon starts), as a desk that has run for a
while has them: receiving must not get slower as the inbox grows.

The daemon's path is +CMTI -> (AT+CPMS only if another memory is selected) -> AT+CMGR
-> one commit -> AT+CMGD.
Targets (issue 7): median <= 4 ms and p99 <= 15 ms.

    python bench/inbound_latency.py [--samples 300] [--history 20000]
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from _rig import Rig, outside_numbers, parse_time, read_only, rig, run

from modemd.sms import Deliver, decode_from_sc, deliver_user_data, encode_deliver
from modemd.store import LineIdentity, Store

MEDIAN_TARGET_MS = 4.0
P99_TARGET_MS = 15.0
POLL = 0.0005


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of them at or below it."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def figures(values_ms: Sequence[float]) -> str:
    ordered = sorted(values_ms)
    return (f"median {statistics.median(ordered):6.2f}   p90 {percentile(ordered, 0.9):6.2f}"
            f"   p99 {percentile(ordered, 0.99):6.2f}   max {ordered[-1]:6.2f} ms"
            f"   (n={len(ordered)})")


def verdict(values_ms: Sequence[float]) -> str:
    ordered = sorted(values_ms)
    median, p99 = statistics.median(ordered), percentile(ordered, 0.99)
    ok = median <= MEDIAN_TARGET_MS and p99 <= P99_TARGET_MS
    return (f"{'meets' if ok else 'MISSES'} the targets (median <= {MEDIAN_TARGET_MS:g} ms, "
            f"p99 <= {P99_TARGET_MS:g} ms)")


def store_history(db: Path, count: int) -> None:
    """count single-part inbound messages from a line of the past, in one transaction."""
    if count <= 0:
        return
    senders = outside_numbers(100, start=1000)
    store = Store(db)
    try:
        line_id = store.lines.register(LineIdentity("8901999999999999999", None, None, None),
                                       name="retired", port="/dev/null")
        with store.database.write():  # the records below join this one transaction
            for n in range(count):
                pdu = encode_deliver(senders[n % 100], deliver_user_data(f"old {n}")[0],
                                     timestamp=datetime(2026, 1, 1, tzinfo=UTC)).pdu
                decoded = decode_from_sc(pdu)
                assert isinstance(decoded, Deliver)
                store.inbox.record(line_id, pdu, decoded)
    finally:
        store.close()


def wait_row(conn: sqlite3.Connection, after: int, running: Rig, sample: int) -> tuple:
    """The first message after id `after` (only inbound ones are made here). By primary
    key alone: a `direction` condition lets SQLite walk an index over every row."""
    deadline = time.monotonic() + 10
    while (row := conn.execute(
            "SELECT id, created_at FROM messages WHERE id > ? ORDER BY id LIMIT 1",
            (after,)).fetchone()) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"inbound {sample} not stored\n{running.daemon.log_tail()}"
                               if running.daemon else f"inbound {sample} not stored")
        time.sleep(POLL)
    return row


def wire_times(running: Rig, since: float) -> tuple[float, float]:
    """When +CMTI left the emulator, and when the AT+CMGD that followed it arrived."""
    entries = running.control.call("transcript", line="line1", since=since)
    cmti = next(e["time"] for e in entries if e["dir"] == "tx" and "+CMTI" in e["text"])
    cmgd = next(e["time"] for e in entries
                if e["dir"] == "rx" and "AT+CMGD" in e["text"] and e["time"] > cmti)
    return cmti, cmgd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300,
                        help="messages to time (>= 200 gives p99 some meaning; default 300)")
    parser.add_argument("--history", type=int, default=0,
                        help="older inbound messages stored before the run (default 0)")
    args = parser.parse_args()
    sender = outside_numbers(1)[0]
    committed, deleted, stamped = [], [], []
    with rig("modemd-bench-inbound-") as running:
        store_history(running.db, args.history)
        running.start_emulator(1)
        running.start_daemon(1)
        running.wait_lines_ok(1)
        time.sleep(1.0)  # start-up sweep and monitor done: idle
        with read_only(running.db) as conn:
            last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM messages").fetchone()[0]
            for i in range(args.samples):
                started = time.time()
                running.control.call("inject", line="line1", sender=sender, text=f"in {i}")
                row = wait_row(conn, last, running, i)
                seen = time.time()
                last = row[0]
                time.sleep(random.uniform(0.1, 0.3))  # CMGD done, idle again
                cmti, cmgd = wire_times(running, started)
                committed.append((seen - cmti) * 1000)
                deleted.append((cmgd - cmti) * 1000)
                stamped.append((parse_time(row[1]) - cmti) * 1000)
            left = running.control.call("storage", line="line1")
    on_sim = sum(len(v) for v in left.values())
    print(f"inbound latency, +CMTI on the wire -> row in SQLite, {args.samples} samples, "
          f"{args.history} older messages stored ({on_sim} left on the SIM)")
    print(f"  committed (seen by a reader):  {figures(committed)}")
    print(f"  deleted (AT+CMGD on the wire): {figures(deleted)}")
    print(f"  stamped (row's created_at):    {figures(stamped)}")
    print(f"  committed {verdict(committed)}")


if __name__ == "__main__":
    run(main)
