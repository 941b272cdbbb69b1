"""What the bench scripts share: the real `modemd emulator` and `modemd run` as child
processes, waiting for lines to come up, /proc readings, statistics.

Every process started here is stopped when the `Rig` context exits, also on Ctrl-C
or SIGTERM: SIGTERM first, SIGKILL after a grace period. Children run in their own
session, so a Ctrl-C reaches the bench only and the bench stops them in order.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from modemd.emulator.control import ControlClient
from modemd.store import Store, prepare

MODEMD = [sys.executable, "-m", "modemd"]
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


class Child:
    """One child process; stop() is idempotent and always leaves it dead."""

    def __init__(self, argv: list[str], log: Path, **popen: object) -> None:
        self.argv = argv
        self.log_path = log
        self.started_at = time.time()  # wall clock: the daemon's timestamps are wall clock too
        self._log = log.open("w")
        self.process = subprocess.Popen(argv, stderr=self._log, start_new_session=True,
                                        **popen)  # type: ignore[call-overload]

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace: float = 10.0) -> int | None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()
        return self.process.returncode

    def log_tail(self, lines: int = 15) -> str:
        if not self._log.closed:
            self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class Rig:
    """A temp folder with an emulator and (once asked) a daemon, both real processes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.emulator_dir = folder / "emu"
        self.db = folder / "modemd.db"
        self.emulator: Child | None = None
        self.daemon: Child | None = None
        self.lines: list[dict] = []

    # ---- processes ------------------------------------------------------------------

    def start_emulator(self, lines: int, *options: str) -> list[dict]:
        """`modemd emulator --lines N --json`; returns its lines once it has announced them."""
        self.emulator = Child(
            [*MODEMD, "emulator", "--dir", str(self.emulator_dir), "--lines", str(lines),
             "--json", *options],
            self.folder / "emulator.log", stdout=subprocess.PIPE, text=True)
        assert self.emulator.process.stdout is not None
        first = self.emulator.process.stdout.readline()
        if not first:
            raise RuntimeError(f"the emulator did not start:\n{self.emulator.log_tail()}")
        self.lines = json.loads(first)["lines"]
        return self.lines

    @property
    def control(self) -> ControlClient:
        return ControlClient(self.emulator_dir / "control.sock")

    def port(self, index: int) -> str:
        return str(self.emulator_dir / f"line{index}")

    def start_daemon(self, lines: int, *options: str) -> Child:
        """`modemd run --db DB --port DIR/line1 ...` (ports 1..lines)."""
        ports = [arg for i in range(1, lines + 1) for arg in ("--port", self.port(i))]
        self.daemon = Child([*MODEMD, "run", "--db", str(self.db), *ports, *options],
                            self.folder / "daemon.log", stdout=subprocess.DEVNULL)
        return self.daemon

    def stop(self) -> None:
        """The daemon first (it closes its ports), then the emulator, whatever happens."""
        try:
            if self.daemon is not None:
                self.daemon.stop()
        finally:
            if self.emulator is not None:
                self.emulator.stop()

    # ---- waiting ------------------------------------------------------------------------

    def wait_lines_ok(self, count: int, timeout: float = 60.0) -> dict[str, float]:
        """Poll the database until `count` lines are `ok`. Returns wall-clock times:
        first_ok / all_ok as the daemon stamped them (last_seen_at is written with the
        state change), and seen: when this poll noticed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_daemon()
            rows = self._lines_state()
            ok = [stamp for state, stamp in rows if state == "ok"]
            if len(ok) >= count:
                seen = time.time()
                stamps = sorted(parse_time(s) for s in ok)
                return {"first_ok": stamps[0], "all_ok": stamps[-1], "seen": seen}
            time.sleep(0.005)
        log = self.daemon.log_tail() if self.daemon else ""
        raise TimeoutError(f"{count} line(s) not ok within {timeout:.0f} s: "
                           f"{self._lines_state()}\n{log}")

    def _lines_state(self) -> list[tuple[str, str]]:
        if not self.db.exists():
            return []
        try:
            with read_only(self.db) as conn:
                return conn.execute("SELECT state, last_seen_at FROM lines").fetchall()
        except sqlite3.OperationalError:  # not migrated yet
            return []

    def _check_daemon(self) -> None:
        if self.daemon is not None and not self.daemon.alive():
            raise RuntimeError(f"the daemon exited ({self.daemon.process.returncode}):\n"
                               f"{self.daemon.log_tail()}")

    def wait_for(self, what: str, check, timeout: float, poll: float = 0.005) -> float:
        """Poll check() until true; the wall-clock time it was first seen true."""
        deadline = time.monotonic() + timeout
        while not check():
            self._check_daemon()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what}: not within {timeout:.0f} s\n"
                                   f"{self.daemon.log_tail() if self.daemon else ''}")
            time.sleep(poll)
        return time.time()

    # ---- the store ---------------------------------------------------------------------

    def enqueue(self, recipients: Sequence[str], text: str = "bench {i}") -> list[int]:
        """Queue one message per recipient in one transaction (no daemon poke)."""
        store = Store(self.db)
        try:
            with store.database.write():  # nested enqueue() calls join this transaction
                return [store.outbox.enqueue(prepare(to, text.format(i=i), operator="bench"))
                        for i, to in enumerate(recipients)]
        finally:
            store.close()

    def outbound_counts(self) -> dict[str, int]:
        with read_only(self.db) as conn:
            return dict(conn.execute("SELECT status, COUNT(*) FROM messages "
                                     "WHERE direction = 'out' GROUP BY status").fetchall())

    def outbound_times(self, column: str) -> list[float]:
        assert column in ("created_at", "sent_at", "delivered_at")
        with read_only(self.db) as conn:
            rows = conn.execute(f"SELECT {column} FROM messages WHERE direction = 'out' "
                                f"AND {column} IS NOT NULL ORDER BY {column}").fetchall()
        return [parse_time(r[0]) for r in rows]


@contextmanager
def rig(prefix: str) -> Iterator[Rig]:
    """A Rig in a fresh temp folder; every process stopped and the folder removed on exit,
    including Ctrl-C (KeyboardInterrupt) and SIGTERM/SIGHUP (turned into SystemExit)."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=prefix)))
        running = Rig(folder)
        stack.callback(running.stop)
        yield running


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def run(main: Callable[[], None]) -> None:
    """A bench's entry point: Ctrl-C stops it quietly (the rig has stopped its processes)."""
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted: every process the bench started is stopped", file=sys.stderr)
        sys.exit(130)


@contextmanager
def read_only(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        yield conn
    finally:
        conn.close()


def parse_time(stamp: str) -> float:
    """The store's ISO 8601 UTC 'Z' stamps -> epoch seconds."""
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()


def outside_numbers(count: int, start: int = 0) -> list[str]:
    """Distinct valid numbers that are no emulated line (those are +120155501NN): the
    emulator records them as `outside` and sends a status report back."""
    if start + count > 7000:
        raise ValueError("at most 7000 outside numbers")
    return [f"+1201555{3000 + start + i:04d}" for i in range(count)]


# ---- /proc ------------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK  # fields 14 and 15 of stat(5)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


# ---- numbers ---------------------------------------------------------------------------

def summary(values_ms: Sequence[float]) -> str:
    ordered = sorted(values_ms)
    p90 = ordered[max(0, round(0.9 * len(ordered)) - 1)]
    return (f"median {statistics.median(ordered):7.1f} ms   p90 {p90:7.1f} ms   "
            f"max {ordered[-1]:7.1f} ms   (n={len(ordered)})")


def p90(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.9 * len(ordered)) - 1)]
