"""Drain time: 50 messages queued before the daemon starts, until all are sent (and delivered).

Real processes: `modemd emulator` (zero delays) and `modemd run` over its ptys. The
messages go to 50 distinct numbers outside the rig (no sticky line; the emulator
reports each one delivered). Times come from the daemon's own stamps in the
database (sent_at, delivered_at, the lines' `ok`), against the wall-clock moment the
daemon process was spawned. Runs with 1 line and with 2 lines.
Target (issue 4): drain <= 1 s, counted from the lines being `ok`.

    python bench/drain.py [--messages 50] [--lines 1 2]
"""

from __future__ import annotations

import argparse

from _rig import outside_numbers, rig, run

TARGET_S = 1.0


def drain(lines: int, messages: int) -> dict[str, float]:
    with rig("modemd-bench-drain-") as running:
        running.start_emulator(lines)
        running.enqueue(outside_numbers(messages))
        daemon = running.start_daemon(lines)
        ready = running.wait_lines_ok(lines)

        def finished(*states: str) -> bool:
            return sum(running.outbound_counts().get(s, 0) for s in states) >= messages

        running.wait_for("all sent", lambda: finished("sent", "delivered"), timeout=90)
        running.wait_for("all delivered", lambda: finished("delivered"), timeout=30)
        sent = max(running.outbound_times("sent_at"))
        delivered = max(running.outbound_times("delivered_at"))
        counts = running.outbound_counts()
    start = daemon.started_at
    return {"ready": ready["all_ok"] - start, "first_ok": ready["first_ok"] - start,
            "sent": sent - start, "delivered": delivered - start,
            "sent_ready": sent - ready["all_ok"], "delivered_ready": delivered - ready["all_ok"],
            "counts": counts}  # type: ignore[dict-item]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--lines", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    for lines in args.lines:
        r = drain(lines, args.messages)
        print(f"{args.messages} messages, {lines} line(s), zero-delay emulator "
              f"(final states {r['counts']})")
        print(f"  process start -> lines ok:    {r['ready']:6.3f} s "
              f"(first line {r['first_ok']:.3f} s)")
        print(f"  all sent, from process start: {r['sent']:6.3f} s")
        print(f"  all sent, from lines ok:      {r['sent_ready']:6.3f} s   "
              f"(target <= {TARGET_S:g} s)")
        print(f"  all delivered, from start:    {r['delivered']:6.3f} s")
        print(f"  all delivered, from lines ok: {r['delivered_ready']:6.3f} s")
        print(f"  sent rate after lines ok:     {args.messages / r['sent_ready']:6.1f} msg/s")


if __name__ == "__main__":
    run(main)
