"""Idle pickup latency: a message enqueued to an idle daemon -> `AT+CMGS` on the modem's wire.

Real processes: `modemd emulator` (1 line, zero delays) and `modemd run`. Between
samples the daemon is idle (the previous message delivered, then a pause). The end
point is the emulator's transcript entry (rx, containing AT+CMGS), stamped with
time.time() in the emulator process; the start point is the message's created_at,
stamped by Outbox.enqueue() as it begins (same machine clock). Two ways to enqueue:

* `modemd send` as a subprocess (what an agent runs); also shown from the spawn,
  which adds the interpreter's start-up;
* Store.outbox.enqueue() + wake.poke() in this process; also shown from the poke,
  which leaves out the enqueue's own fsync'd commit.

Target (issue 4): pickup <= 50 ms, without busy polling.

    python bench/pickup_latency.py [--samples 30]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import time

from _rig import MODEMD, outside_numbers, parse_time, rig, run, summary

from modemd.store import Store, prepare
from modemd.wake import poke

TARGET_MS = 50.0


def cmgs_time(running, since: float) -> float:
    entries = running.control.call("transcript", line="line1", since=since)
    return next(e["time"] for e in entries if e["dir"] == "rx" and "AT+CMGS" in e["text"])


def created_at(store: Store, message_id: int) -> float:
    row = store.database.one("SELECT created_at FROM messages WHERE id = ?", (message_id,))
    assert row is not None
    return parse_time(row["created_at"])


def delivered(store: Store, message_id: int) -> bool:
    row = store.database.one("SELECT status FROM messages WHERE id = ?", (message_id,))
    return row is not None and row["status"] == "delivered"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    to = outside_numbers(1)[0]
    results: dict[str, list[float]] = {k: [] for k in ("cli", "cli_spawn", "lib", "lib_poke")}
    with rig("modemd-bench-pickup-") as running:
        running.start_emulator(1)
        store = Store(running.db)
        try:
            running.start_daemon(1)
            running.wait_lines_ok(1)
            time.sleep(1.0)  # start-up sweep and monitor done: idle
            for i in range(args.samples):
                for mode in ("cli", "lib"):
                    spawn = time.time()
                    if mode == "cli":
                        out = subprocess.run(
                            [*MODEMD, "send", "--db", str(running.db), to, f"cli {i}",
                             "--operator", f"bench{i}"],  # [pace]: 1 send/s per agent
                            capture_output=True, text=True, check=True)
                        message_id, poked = int(out.stdout.strip()), spawn
                    else:
                        message_id = store.outbox.enqueue(prepare(to, f"lib {i}",
                                                                  operator="bench"))
                        poked = time.time()
                        poke(running.db)
                    start = created_at(store, message_id)
                    running.wait_for(f"message {message_id} delivered",
                                     lambda m=message_id: delivered(store, m), timeout=10)
                    cmgs = cmgs_time(running, start)
                    results[mode].append((cmgs - start) * 1000)
                    results[f"{mode}_spawn" if mode == "cli" else "lib_poke"].append(
                        (cmgs - (spawn if mode == "cli" else poked)) * 1000)
                    time.sleep(random.uniform(0.2, 0.4))  # idle again before the next one
        finally:
            store.close()
    print(f"idle pickup latency, enqueue -> AT+CMGS on the wire, {args.samples} samples each")
    print(f"  modemd send (subprocess), from enqueue: {summary(results['cli'])}"
          f"   (target <= {TARGET_MS:g} ms)")
    print(f"  modemd send (subprocess), from spawn:   {summary(results['cli_spawn'])}")
    print(f"  Store.enqueue + poke,     from enqueue: {summary(results['lib'])}"
          f"   (target <= {TARGET_MS:g} ms)")
    print(f"  Store.enqueue + poke,     from poke:    {summary(results['lib_poke'])}")


if __name__ == "__main__":
    run(main)
