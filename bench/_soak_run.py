"""One soak run: the real emulator and daemon in a kept temp folder, the plan carried
out, the end (faults cleared, everything plugged back, a restart, a bounded settle,
a clean stop), both records gathered and checked.

The folder is always kept: daemon.log (time-stamped), emulator.log, plan.json,
log.json, emulator.json, database.json, verdict.json, transcript-LINE.txt, modemd.db.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _rig import Rig, read_only
from _soak_actions import Executor, run_plan
from _soak_check import check
from _soak_collect import (
    database_record,
    dump_transcripts,
    emulator_record,
    keep,
    settle_state,
    settled,
)
from _soak_plan import Pace, as_json, plan
from _soak_procs import Agents, Daemon, daemon_argv
from _soak_watch import StateWatch

REASSEMBLY_MINUTES = 0.25  # so a late part (50 s later) finds its message `incomplete`
QUIET_FOR = 4.0  # the end: nothing changed for this long


@dataclass(frozen=True)
class Settings:
    seed: int
    lines: int = 4
    minutes: float = 10.0
    pace: Pace = field(default_factory=Pace)
    settle_timeout: float = 150.0
    folder: Path | None = None
    daemon_source: Path | None = None  # run the daemon from another checkout's sources


@dataclass
class Outcome:
    folder: Path
    verdict: dict
    wall: float
    settle: float
    settled: bool


def _write_config(folder: Path, rig: Rig, lines: int) -> Path:
    modems = "".join(f'[[modem]]\nport = "{rig.port(i)}"\nname = "line{i}"\n\n'
                     for i in range(1, lines + 1))
    config = folder / "modemd.toml"
    # a soak is bulk by design: a lab rig, outside the person-to-person pace rules
    config.write_text(f'database = "{rig.db}"\n'
                      f"reassembly_timeout_minutes = {REASSEMBLY_MINUTES}\n\n{modems}"
                      "[pace]\nenabled = false\n")
    return config


def _wait_lines(rig: Rig, daemon: Daemon, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not daemon.alive():
            raise RuntimeError(f"the daemon exited at start: see {daemon.log_path}")
        try:
            with read_only(rig.db) as conn:
                ok = conn.execute("SELECT COUNT(*) FROM lines WHERE state = 'ok'").fetchone()[0]
        except sqlite3.Error:  # not created or not migrated yet
            ok = 0
        if ok >= count:
            return
        time.sleep(0.1)
    raise TimeoutError(f"{count} line(s) not ok within {timeout:.0f} s: see {daemon.log_path}")


def soak(settings: Settings, progress: Callable[[str], None] = print) -> Outcome:
    folder = settings.folder or Path(tempfile.mkdtemp(prefix=f"modemd-soak-{settings.seed}-"))
    folder.mkdir(parents=True, exist_ok=True)
    rig = Rig(folder)
    log: dict = {"seed": settings.seed, "sends": [], "resends": [], "injections": [],
                 "garbage": [], "faults": [], "daemon": [], "failing": {}, "line_states": []}
    daemon: Daemon | None = None
    started = time.monotonic()
    try:
        actions, daemon = _start(settings, folder, rig, log)
        progress(f"soak seed {settings.seed}: {settings.lines} lines, {len(actions)} actions "
                 f"over {settings.minutes:g} min; folder {folder}")
        executor = Executor(rig.control, daemon, Agents(rig.db, folder / "modemd.toml"),
                            rig.db, log)
        with StateWatch(rig.db, log["line_states"]):
            run_plan(executor, actions, time.monotonic(), progress)
            settle_seconds, quiet = _end(executor, rig, settings.settle_timeout, progress)
        verdict = _gather(folder, rig, log)
    except Exception as error:
        raise RuntimeError(f"the soak itself broke down (seed {settings.seed}; "
                           f"everything so far is in {folder}): {error}") from error
    finally:
        keep(folder, "log.json", log)
        if daemon is not None:
            daemon.close()
        rig.stop()
    return Outcome(folder, verdict, time.monotonic() - started, settle_seconds, quiet)


def _start(settings: Settings, folder: Path, rig: Rig, log: dict) -> tuple[list, Daemon]:
    """The emulator, the plan for its lines, the daemon; back when every line is ok."""
    lines = rig.start_emulator(settings.lines, "--seed", str(settings.seed))
    log["lines"] = {line["name"]: line["number"] for line in lines}
    actions = plan(settings.seed, log["lines"], settings.minutes * 60, settings.pace)
    keep(folder, "plan.json", as_json(actions))
    daemon = Daemon(daemon_argv(_write_config(folder, rig, settings.lines)),
                    folder / "daemon.log", log["daemon"], settings.daemon_source)
    daemon.start()
    _wait_lines(rig, daemon, settings.lines)
    return actions, daemon


def _end(executor: Executor, rig: Rig, timeout: float,
         progress: Callable[[str], None]) -> tuple[float, bool]:
    """Faults off, everything plugged, a restart (it ends pauses only a restart ends),
    then wait (bounded) until quiet, then SIGTERM."""
    for name in executor.log["lines"]:
        executor.run("fault", {"line": name, "fault": "clear"})
        executor.run("timing", {"line": name, "urc_mode": "immediate", "split_pdu": False})
        executor.run("capacity", {"line": name, "restore": True})
        if name in settle_state(rig.control, rig.db)["unplugged"]:
            executor.run("replug", {"line": name})
    executor.daemon.cont()
    executor.run("restart", {"why": "the end: settle"})
    began = time.monotonic()
    quiet = _settle(rig, executor.daemon, timeout)
    settle = time.monotonic() - began
    progress(f"  settled in {settle:.1f} s" if quiet else
             f"  NOT settled after {settle:.1f} s: {settle_state(rig.control, rig.db)}")
    executor.daemon.terminate()
    return settle, quiet


def _settle(rig: Rig, daemon: Daemon, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        if not daemon.alive():
            daemon.exited_by_itself()
            daemon.start()
        state = settle_state(rig.control, rig.db)
        if state != last:
            last, since = state, time.monotonic()
        elif settled(state) and time.monotonic() - since >= QUIET_FOR:
            return True
        time.sleep(0.25)
    return False


def _gather(folder: Path, rig: Rig, log: dict) -> dict:
    emulator = emulator_record(rig.control)
    database = database_record(rig.db)
    keep(folder, "emulator.json", emulator)
    keep(folder, "database.json", database)
    dump_transcripts(folder, emulator)
    verdict = check(emulator, database, log)
    keep(folder, "verdict.json", verdict)
    return verdict
