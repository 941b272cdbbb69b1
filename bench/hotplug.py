"""Hotplug and scrape figures: how soon a port that appears is a line that sends, and
what a Prometheus scrape costs on a big database.

Real processes: `modemd emulator` and `modemd run` with `discover` (no udev here, so
the periodic scan finds ports: the default scan_seconds, 2 s, bounds the wait).

* appear: the emulator starts after the daemon -> every line `ok` (daemon's stamp);
* replug: a line unplugged for longer than the grace period, then plugged back ->
  `ok` again;
* rename: unplugged and back under another tty name (no stable link) -> `ok` on the
  new port;
* scrape: GET /metrics on a database with --messages rows (in this process, port 0).

    python bench/hotplug.py [--lines 4] [--rounds 5] [--messages 100000]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
import urllib.request
from pathlib import Path

from _rig import MODEMD, Child, parse_time, read_only, rig, summary

from modemd.config import Config
from modemd.daemon.metrics import MetricsServer
from modemd.store import Store

GRACE = 1.0


def config(folder: Path, globs: str) -> Path:
    path = folder / "modemd.toml"
    path.write_text(f'database = "{folder / "modemd.db"}"\ndiscover = ["{globs}"]\n'
                    f"discover_grace_seconds = {GRACE}\n")
    return path


def ok_since(db: Path, port: str | None, since: float) -> float | None:
    """When the line on port (or the newest change of any line) went ok after since."""
    with read_only(db) as conn:
        rows = conn.execute("SELECT port, state, last_seen_at FROM lines").fetchall()
    stamps = [parse_time(seen) for where, state, seen in rows
              if state == "ok" and (port is None or where == port)]
    fresh = [stamp for stamp in stamps if stamp >= since]
    return min(fresh) if fresh else None


def appear(running, lines: int) -> float:
    path = config(running.folder, f"{running.emulator_dir}/line*")
    running.daemon = Child([*MODEMD, "run", "--config", str(path)],
                           running.folder / "daemon.log")
    running.wait_for("the daemon's database", running.db.exists, 20)
    started = time.time()
    running.start_emulator(lines)
    return running.wait_lines_ok(lines)["all_ok"] - started


def replug(running, rounds: int, rename: bool) -> list[float]:
    samples = []
    for _ in range(rounds):
        line = running.control.call("lines")[0]
        running.control.call("unplug", line="line1")
        time.sleep(GRACE + running_scan() + 0.5)  # the worker is retired: a true return
        plugged = time.time()
        running.control.call("replug", line="line1", rename=rename)
        port = next(x for x in running.control.call("lines") if x["name"] == "line1")["port"]
        assert port != line["port"] if rename else port == line["port"]
        running.wait_for("line1 ok again", lambda p=port, t=plugged: ok_since(
            running.db, p, t) is not None, 30)
        samples.append(ok_since(running.db, port, plugged) - plugged)
    return samples


def running_scan() -> float:
    return Config().scan_seconds  # the default the bench's config keeps


def scrape(messages: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="modemd-scrape-") as folder:
        db = Path(folder) / "m.db"
        Store(db).close()
        conn = sqlite3.connect(db)
        conn.executemany(
            "INSERT INTO messages (direction, peer, text, status, parts, created_at) "
            "VALUES (?, ?, 'bench', ?, 1, '2026-01-01T00:00:00.000000Z')",
            ((("out", f"+1415555{i % 10000:04d}", "delivered") if i % 2 else
              ("in", f"+1415555{i % 10000:04d}", "received")) for i in range(messages)))
        conn.commit()
        conn.close()
        store = Store(db)
        server = MetricsServer(("127.0.0.1", 0), store)
        server.start()
        try:
            url = f"http://127.0.0.1:{server.port}/metrics"
            samples = []
            for _ in range(20):
                begun = time.perf_counter()
                urllib.request.urlopen(url, timeout=30).read()
                samples.append(time.perf_counter() - begun)
            return samples
        finally:
            server.stop()
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    with rig("modemd-hotplug-") as running:
        print(f"appear: {args.lines} line(s) ok {appear(running, args.lines):.2f} s after "
              f"the emulator started (scan every {running_scan():.0f} s, no udev)")
        print("replug:", summary([s * 1000 for s in replug(running, args.rounds, False)]))
    with rig("modemd-hotplug-") as running:
        path = config(running.folder, f"{running.emulator_dir}/ttyEMU*")
        running.start_emulator(1, "--kernel-names")
        running.daemon = Child([*MODEMD, "run", "--config", str(path)],
                               running.folder / "daemon.log")
        running.wait_lines_ok(1)
        print("rename:", summary([s * 1000 for s in replug(running, args.rounds, True)]))
    print(f"scrape ({args.messages:,} messages):",
          summary([s * 1000 for s in scrape(args.messages)]))


if __name__ == "__main__":
    main()
