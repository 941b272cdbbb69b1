"""Idle cost of the daemon: CPU and RSS with 2 and with 32 emulated lines and no traffic.

Real processes: `modemd emulator --lines N` and `modemd run` with the N ports. Once
every line is `ok` and the start-up work (sweep, monitor) is over, the daemon's CPU
is read from /proc/PID/stat (utime + stime, all threads) at both ends of a quiet
window, and its RSS from /proc/PID/status (VmRSS) at the end. The emulator's CPU is
shown for context. Targets (issue 4): idle CPU < 1% (of one core), RSS < 80 MB.

    python bench/idle.py [--lines 2 32] [--seconds 30]
"""

from __future__ import annotations

import argparse
import time

from _rig import cpu_seconds, rig, rss_mb, run, threads

CPU_TARGET, RSS_TARGET = 1.0, 80.0


def idle(lines: int, seconds: float) -> dict[str, float]:
    with rig("modemd-bench-idle-") as running:
        running.start_emulator(lines)
        daemon = running.start_daemon(lines)
        running.wait_lines_ok(lines, timeout=90)
        time.sleep(2.0)  # start-up sweeps and monitors done
        pids = {"daemon": daemon.pid, "emulator": running.emulator.pid}
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        started = time.monotonic()
        time.sleep(seconds)
        wall = time.monotonic() - started
        used = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
        return {"cpu": used["daemon"] / wall * 100, "emulator_cpu": used["emulator"] / wall * 100,
                "rss": rss_mb(daemon.pid), "threads": threads(daemon.pid), "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[2, 32])
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    for lines in args.lines:
        r = idle(lines, args.seconds)
        print(f"{lines} lines idle for {r['wall']:.0f} s")
        print(f"  daemon CPU:   {r['cpu']:5.2f} % of one core   (target < {CPU_TARGET:g} %)")
        print(f"  daemon RSS:   {r['rss']:5.1f} MB              (target < {RSS_TARGET:g} MB)")
        print(f"  daemon threads: {r['threads']:.0f}; emulator CPU {r['emulator_cpu']:.2f} %")


if __name__ == "__main__":
    run(main)
