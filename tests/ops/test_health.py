"""`modemd health` as a monitor runs it, on databases in known states: the daemon's
lock and heartbeat, lines, queue age, report matching. Exit 0 OK, 1 WARNING,
2 CRITICAL, 3 UNKNOWN; one line `MODEMD STATE - problems; overview | perfdata`."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from store.dbfiles import write_garbage

from modemd.store import DaemonLock, LineState, Store

from .support import add_line, delivered, modemd, orphan_report, queue

Travel = Callable[[timedelta | None], None]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "modemd.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    store = Store(db)
    yield store
    store.close()


@pytest.fixture
def running(db: Path, store: Store) -> Iterator[int]:
    """A daemon as health sees one: the lock held and a fresh run row; its run id."""
    lock = DaemonLock.acquire(db)
    run = store.runs.begin(os.getpid(), "test")
    yield run
    lock.release()


def health(db: Path, *options: str) -> tuple[int, str]:
    done = modemd("health", "--db", str(db), *options)
    assert done.stderr == "", done.stderr
    assert done.stdout.count("\n") == 1, done.stdout  # one line, as plugins print
    return done.returncode, done.stdout.strip()


def test_a_running_daemon_with_its_lines_ok_is_ok(db: Path, store: Store, running: int) -> None:
    for n in (1, 2):
        add_line(store, n, name=f"desk-{n}")
    code, line = health(db)
    assert code == 0, line
    assert line.startswith("MODEMD OK - 2/2 lines ok, queue 0 (oldest 0 s), ")
    perfdata = line.split(" | ")[1].split()
    assert "lines_ok=2;;;0;2" in perfdata and "queue_depth=0;;;0" in perfdata


def test_no_daemon_ever_is_critical(db: Path, store: Store) -> None:
    code, line = health(db)
    assert code == 2
    assert line.startswith("MODEMD CRITICAL - daemon not running: no daemon has run on this "
                           "database; lines not checked (daemon down)")


def test_a_cleanly_stopped_daemon_is_critical_and_says_when(db: Path, store: Store) -> None:
    run = store.runs.begin(os.getpid(), "test")
    store.runs.end(run)
    stopped = store.runs.latest()["stopped_at"]
    code, line = health(db)
    assert code == 2 and f"daemon not running: stopped at {stopped}" in line


def test_a_run_without_its_lock_is_a_dead_daemon(db: Path, store: Store) -> None:
    store.runs.begin(os.getpid(), "test")  # as kill -9 leaves it: no stop, lock free
    code, line = health(db)
    assert code == 2 and "daemon not running: last heartbeat" in line
    assert "(crashed or killed)" in line


def test_a_stale_heartbeat_is_critical_though_the_lock_is_held(
        db: Path, store: Store, back_in_time: Travel) -> None:
    back_in_time(timedelta(minutes=5))
    store.runs.begin(12345, "test")
    back_in_time(None)
    lock = DaemonLock.acquire(db)
    try:
        code, line = health(db)
    finally:
        lock.release()
    assert code == 2
    assert "daemon not heartbeating: pid 12345 holds the database, but its last heartbeat " \
           "was 5 min ago (over 60 s: hung?)" in line


def test_a_daemon_holding_the_lock_before_its_first_heartbeat_is_starting(
        db: Path, store: Store) -> None:
    lock = DaemonLock.acquire(db)
    try:
        code, line = health(db)
        assert code == 1 and f"daemon starting: pid {os.getpid()} holds the database" in line
        old = time.time() - 120
        os.utime(lock.path, (old, old))  # held for 2 minutes without a heartbeat
        code, line = health(db)
        assert code == 2 and "holds the database but records no heartbeat" in line
    finally:
        lock.release()


def test_a_line_down_is_a_warning_naming_it(db: Path, store: Store, running: int) -> None:
    add_line(store, 1, name="desk-1")
    add_line(store, 2, name="desk-2", state=LineState.OFFLINE)
    store.lines.set_state(2, LineState.OFFLINE, reason="port gone")
    code, line = health(db)
    assert code == 1
    assert line.startswith("MODEMD WARNING - line desk-2 offline (port gone); 1/2 lines ok")
    assert "lines_down=1;;;0" in line.split(" | ")[1].split()


def test_no_line_ok_is_critical_and_each_is_named(db: Path, store: Store, running: int) -> None:
    add_line(store, 1, name="desk-1", state=LineState.UNRESPONSIVE)
    add_line(store, 2, name="desk-2", state=LineState.PAUSED)
    code, line = health(db)
    assert code == 2
    assert line.startswith("MODEMD CRITICAL - no line ok (2 seen by this run); ")
    assert "line desk-1 unresponsive" in line and "line desk-2 paused" in line


def test_lines_of_earlier_runs_do_not_count(db: Path, store: Store) -> None:
    add_line(store, 1, name="gone-long-ago", state=LineState.OFFLINE)
    lock = DaemonLock.acquire(db)
    try:
        store.runs.begin(os.getpid(), "test")  # this run has not seen that line
        add_line(store, 2, name="desk-2")
        code, line = health(db)
    finally:
        lock.release()
    assert code == 0 and "1/1 lines ok" in line and "gone-long-ago" not in line


@pytest.mark.parametrize(("options", "code", "word"), [
    ((), 1, "WARNING"),  # 10 min: over the 300 s default
    (("--queue-warn", "60", "--queue-crit", "500"), 2, "CRITICAL"),
    (("--queue-warn", "900", "--queue-crit", "1200"), 0, "OK"),
])
def test_the_oldest_queued_message_against_the_thresholds(
        db: Path, store: Store, running: int, back_in_time: Travel,
        options: tuple[str, ...], code: int, word: str) -> None:
    add_line(store, 1, name="desk-1")
    back_in_time(timedelta(minutes=10))
    queue(store, "waiting since ten minutes")
    back_in_time(None)
    queue(store, "just now")
    got, line = health(db, *options)
    assert (got, line.split(" - ")[0]) == (code, f"MODEMD {word}")
    if code:
        assert "queue: the oldest of 2 message(s) has waited 10 min (over" in line
    assert "queue_depth=2;;;0" in line.split(" | ")[1].split()


def test_the_report_ratio_counts_only_with_enough_reports(
        db: Path, store: Store, running: int) -> None:
    line_id = add_line(store, 1, name="desk-1")
    for n in range(2):
        delivered(store, line_id, f"message {n}", mr=n + 1)
    for n in range(4):
        orphan_report(store, line_id, mr=200 + n)
    code, line = health(db, "--ratio-min", "6")  # 2 of 6 matched: 33%, under 50%
    assert code == 2 and "reports: 33% of 6 in 24 h matched a message (under 50%)" in line
    assert "reports_matched=33.3%;90:;50:;0;100" in line.split(" | ")[1].split()
    code, line = health(db, "--ratio-min", "6", "--ratio-crit", "30")
    assert code == 1 and "(under 90%)" in line
    code, line = health(db)  # 6 reports are below the default minimum of 20
    assert code == 0 and "6 report(s) in 24 h (too few to judge matching)" in line
    assert "reports_matched=U;90:;50:;0;100" in line.split(" | ")[1].split()


def test_unknown_when_there_is_no_database_or_it_is_not_one(tmp_path: Path) -> None:
    code, line = health(tmp_path / "nowhere.db")
    assert code == 3 and line.startswith("MODEMD UNKNOWN - there is no database at ")
    code, line = health(write_garbage(tmp_path / "garbage.db"))
    assert code == 3 and "is not a SQLite database" in line
    assert not (tmp_path / "nowhere.db").exists()


@pytest.mark.parametrize("options", [("--no-such-option",), ("--queue-warn", "soon"),
                                     ("--queue-warn", "900", "--queue-crit", "60"),
                                     ("--ratio-warn", "40", "--ratio-crit", "60")])
def test_bad_options_are_unknown_not_click_usage_2(db: Path, store: Store,
                                                   options: tuple[str, ...]) -> None:
    done = modemd("health", "--db", str(db), *options)
    assert done.returncode == 3
    assert done.stdout.startswith("MODEMD UNKNOWN - bad arguments: ")
    assert "Usage:" in done.stderr


def test_json_has_the_state_each_problem_and_the_figures(db: Path, store: Store,
                                                        running: int) -> None:
    add_line(store, 1, name="desk-1")
    add_line(store, 2, name="desk-2", state=LineState.SIM_ERROR)
    done = modemd("health", "--db", str(db), "--json")
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert (result["state"], result["code"]) == ("WARNING", 1)
    assert result["problems"] == [{"check": "line", "state": 1, "text": "line desk-2 sim_error"}]
    assert result["lines"] == {"seen": 2, "ok": 1, "down": [
        {"name": "desk-2", "state": "sim_error", "reason": None}]}
    assert result["daemon"]["state"] == "running" and result["daemon"]["lock"] == "held"
    assert result["queue"] == {"depth": 0, "oldest_seconds": None}
    assert result["summary"].startswith("MODEMD WARNING - line desk-2 sim_error; 1/2 lines ok")
