"""Aggregate send rate of 32 emulated modems whose network takes 0.5 s to answer each send.

Real processes: `modemd emulator --lines 32 --submit-delay 0.5` (each +CMGS is
answered after 0.5 s, so one modem sends at most 2 msg/s: 64 msg/s for 32 is the
ideal) and `modemd run` with the 32 ports. Once every line is `ok`, 640 messages to
distinct numbers outside the rig are queued in one transaction and the daemon poked.
Steady state: the rate between the 10th and the 90th percentile of the sent_at
stamps. Also shown: messages per line and the CPU both processes used meanwhile.
Target (issue 4): >= 90% of the ideal 64 msg/s.

    python bench/many_modems.py [--lines 32] [--messages 640] [--submit-delay 0.5]
"""

from __future__ import annotations

import argparse
import collections
import time

from _rig import cpu_seconds, outside_numbers, read_only, rig, run

from modemd.wake import poke

TARGET = 0.90


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=32)
    parser.add_argument("--messages", type=int, default=640)
    parser.add_argument("--submit-delay", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="Stop waiting for the sends after this many seconds.")
    args = parser.parse_args()
    ideal = args.lines / args.submit_delay
    with rig("modemd-bench-many-") as running:
        running.start_emulator(args.lines, "--submit-delay", str(args.submit_delay))
        daemon = running.start_daemon(args.lines)
        ready = running.wait_lines_ok(args.lines, timeout=90)
        time.sleep(1.0)  # start-up sweeps and monitors done
        pids = {"daemon": daemon.pid, "emulator": running.emulator.pid}
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        running.enqueue(outside_numbers(args.messages))
        queued = time.time()
        poke(running.db)

        def done() -> bool:
            counts = running.outbound_counts()
            return counts.get("sent", 0) + counts.get("delivered", 0) >= args.messages

        try:
            running.wait_for("all sent", done, timeout=args.timeout, poll=0.05)
        except TimeoutError:
            print(f"(stopped waiting after {args.timeout:g} s: {running.outbound_counts()})")
        wall = time.time() - queued
        cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
        sent = running.outbound_times("sent_at")
        with read_only(running.db) as conn:
            per_line = collections.Counter(dict(conn.execute(
                "SELECT line_id, COUNT(*) FROM outbound_parts WHERE status IN "
                "('sent', 'delivered') GROUP BY line_id").fetchall()))
    n = len(sent)
    low, high = n // 10, (9 * n) // 10 - 1
    steady = (high - low) / (sent[high] - sent[low]) if n >= 10 else float("nan")
    overall = n / (sent[-1] - queued) if n else float("nan")
    print(f"{args.lines} modems, +CMGS answered after {args.submit_delay:g} s, "
          f"{args.messages} messages queued once all lines were ok "
          f"({ready['all_ok'] - daemon.started_at:.1f} s after start)")
    print(f"  sent:                 {n} of {args.messages} in {sent[-1] - queued:.1f} s"
          if n else "  sent: none")
    print(f"  steady rate (p10-p90): {steady:6.1f} msg/s = {steady / ideal:5.1%} of the ideal "
          f"{ideal:g} msg/s   (target >= {TARGET:.0%})")
    print(f"  overall rate:          {overall:6.1f} msg/s = {overall / ideal:5.1%} of the ideal")
    counts = sorted(per_line.values())
    print(f"  lines used:            {len(per_line)} of {args.lines}; messages per line "
          f"min {counts[0] if counts else 0} / max {counts[-1] if counts else 0}")
    for name, seconds in cpu.items():
        print(f"  {name + ' CPU:':22s} {seconds:6.1f} s = {seconds / wall:5.1%} of one core "
              f"over {wall:.1f} s")


if __name__ == "__main__":
    run(main)
