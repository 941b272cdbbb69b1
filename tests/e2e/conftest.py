"""End-to-end fixtures: a real `modemd emulator` process with its lines on ptys, the real
`modemd run` daemon process on those ptys, and the agent CLI on the same database.

The daemon is driven only through the `modemd` CLI. Where being a separate process is
the point (`modemd send` while the daemon is stopped, the wake-up from a send) the CLI
runs as a process; polling reads and bulk sends run the very same click commands
in-process (CliRunner), because a `modemd` process spends 0.5-1 s importing and the
polls would eat the time budget. The emulator is driven over its control socket
(ControlClient), which is all `modemd emulator COMMAND` does.

Teardown SIGTERMs every daemon still running and fails the test unless it exits 0
(the documented contract: SIGTERM finishes the in-flight part, closes ports, exits 0).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner

from modemd.cli import main
from modemd.emulator.control import ControlClient

LINE1, LINE2 = "+12015550101", "+12015550102"  # the emulator's lines 1 and 2
START_TIMEOUT = 20.0
STOP_TIMEOUT = 30.0
T = TypeVar("T")


def outside(n: int) -> str:
    """A valid number outside the rig (fictional NANP 415-555-01NN)."""
    return f"+141555501{n:02d}"


def modemd_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "modemd", *args]


def wait_for(what: str, probe: Callable[[], T], done: Callable[[T], Any] = bool,
             timeout: float = 15.0, interval: float = 0.05) -> T:
    """Poll probe() until done(value); the value. Fails with the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s; last seen: {value!r}")
        time.sleep(interval)


@pytest.fixture(autouse=True)
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ./modemd.toml, $MODEMD_CONFIG or $MODEMD_DB from the developer's shell. The
    rig is a lab: $MODEMD_CONFIG turns the pace limits off (make_desk(pace=) sets them)."""
    for name in ("MODEMD_DB", "MODEMD_EMULATOR_DIR"):
        monkeypatch.delenv(name, raising=False)
    lab = tmp_path / "lab.toml"
    lab.write_text("[pace]\nenabled = false\n")
    monkeypatch.setenv("MODEMD_CONFIG", str(lab))
    monkeypatch.chdir(tmp_path)


# ---- the emulator ---------------------------------------------------------------------


class Emulator:
    """`modemd emulator --dir DIR --json ...`, up once its first stdout line arrived."""

    def __init__(self, directory: Path, log: Path, args: tuple[str, ...]) -> None:
        self.directory = directory
        self.log = log
        with log.open("a") as sink:
            self.process = subprocess.Popen(
                modemd_argv("emulator", "--dir", str(directory), "--json", *args),
                stdout=subprocess.PIPE, stderr=sink, text=True)
        self.announced = self._announcement()
        self.client = ControlClient(directory / "control.sock")

    def _announcement(self) -> dict:
        stdout = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], START_TIMEOUT)
        line = stdout.readline() if ready else ""
        if not line:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the emulator did not come up:\n{self.log.read_text()}")
        return json.loads(line)

    def call(self, op: str, **args: Any) -> Any:
        return self.client.call(op, **args)

    def command(self, *args: str) -> str:
        """`modemd emulator --dir DIR ARGS` as a tester types it; its stdout."""
        done = subprocess.run(modemd_argv("emulator", "--dir", str(self.directory), *args),
                              capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 0, f"modemd emulator {' '.join(args)}: {done.stderr}"
        return done.stdout

    def port(self, line: str) -> str:
        return str(self.directory / line)

    def inject(self, line: str, sender: str, text: str, **options: Any) -> dict:
        return self.call("inject", line=line, sender=sender, text=text, **options)

    def submitted(self, line: str) -> list[dict]:
        return self.call("submitted", line=line)

    def submitted_texts(self, *lines: str) -> Counter[str]:
        return Counter(record["text"] for line in lines for record in self.submitted(line))

    def stored(self, line: str) -> int:
        """Messages and reports stored on the line's SIM/ME, all memories."""
        return sum(len(entries) for entries in self.call("storage", line=line).values())

    def line(self, name: str) -> dict:
        return next(x for x in self.call("lines") if x["name"] == name)

    def transcript_text(self, line: str) -> str:
        return "".join(entry["text"] for entry in self.call("transcript", line=line)
                       if entry["dir"] == "rx")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return -9


# ---- the daemon -------------------------------------------------------------------------


class Daemon:
    """`modemd run` as systemd runs it; its log (stderr) goes to a file."""

    def __init__(self, argv: list[str], log: Path) -> None:
        self.argv = argv
        self.log = log
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> Daemon:
        assert not self.running, "the daemon is already running"
        self.starts += 1
        with self.log.open("a") as sink:
            sink.write(f"==== start {self.starts}\n")
            sink.flush()
            self.process = subprocess.Popen(self.argv, stdout=sink, stderr=subprocess.STDOUT)
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM; the exit code (the contract wants 0)."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the daemon ignored SIGTERM for {timeout:.0f} s:\n"
                                 f"{self.log_tail()}") from None

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)

    def pause(self) -> None:
        """SIGSTOP: the process reads nothing until resume() (a burst outruns it)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


# ---- the agent CLI ----------------------------------------------------------------------


class Cli:
    """`modemd COMMAND ... --db DB [--json]`: in-process by default, or as a process."""

    def __init__(self, db: Path, config: Path | None = None) -> None:
        self.db = db
        self.env = {"MODEMD_CONFIG": str(config)} if config else {}  # the agents' settings

    def _argv(self, args: tuple[str, ...], as_json: bool) -> list[str]:
        return [*args, "--db", str(self.db), *(["--json"] if as_json else [])]

    def _await_database(self, command: str) -> None:
        """Read commands make no database; the daemon (or a send) does, as it starts."""
        if command != "send":
            wait_for("the daemon's database", self.db.exists, timeout=START_TIMEOUT)

    def run(self, *args: str, as_json: bool = True) -> Any:
        self._await_database(args[0])
        result = CliRunner().invoke(main, self._argv(args, as_json), env=self.env)
        assert result.exit_code == 0, (
            f"modemd {' '.join(args)} exited {result.exit_code}: {result.stderr!r} "
            f"{result.exception!r}")
        return json.loads(result.stdout) if as_json else result.stdout

    def process(self, *args: str, as_json: bool = True) -> Any:
        self._await_database(args[0])
        done = subprocess.run(modemd_argv(*self._argv(args, as_json)), capture_output=True,
                              text=True, timeout=30, check=False, env={**os.environ, **self.env})
        assert done.returncode == 0, (
            f"modemd {' '.join(args)} exited {done.returncode}: {done.stderr}")
        return json.loads(done.stdout) if as_json else done.stdout

    def send(self, to: str, text: str, *, line: str | None = None,
             as_process: bool = False) -> int:
        args = ("send", to, text, *(("--line", line) if line else ()))
        answer = self.process(*args) if as_process else self.run(*args)
        assert answer["status"] == "queued", answer
        return int(answer["id"])

    def outbox(self, **filters: str) -> list[dict]:
        return self.run("outbox", "--limit", "1000", *_options(filters))

    def inbox(self, **filters: str) -> list[dict]:
        return self.run("inbox", "--limit", "1000", *_options(filters))

    def show(self, message_id: int) -> dict:
        return self.run("show", str(message_id))

    def status(self, message_id: int) -> str:
        return self.show(message_id)["status"]

    def lines(self, key: str = "own_number") -> dict[str, dict]:
        """`modemd status` lines by own number (or another column: iccid, imsi)."""
        return {line[key]: line for line in self.run("status")["lines"]}

    def wait_status(self, message_id: int, wanted: str | tuple[str, ...],
                    timeout: float = 15.0) -> dict:
        statuses = (wanted,) if isinstance(wanted, str) else wanted
        return wait_for(f"message {message_id} {'/'.join(statuses)}",
                        lambda: self.show(message_id), lambda m: m["status"] in statuses,
                        timeout=timeout)

    def wait_inbox(self, count: int, timeout: float = 15.0, **filters: str) -> list[dict]:
        return wait_for(f"{count} inbound message(s) {filters or ''}",
                        lambda: self.inbox(**filters), lambda rows: len(rows) >= count,
                        timeout=timeout)


def _options(filters: dict[str, str]) -> list[str]:
    return [item for key, value in filters.items() for item in (f"--{key}", value)]


# ---- all three together ------------------------------------------------------------------


@dataclass
class Desk:
    emulator: Emulator
    daemon: Daemon
    cli: Cli

    def wait_lines(self, wanted: dict[str, str] | None = None, key: str = "own_number",
                   timeout: float = START_TIMEOUT) -> dict[str, dict]:
        """Until `modemd status` shows each line (by own number, or by key) in its wanted
        state (default: every emulated line `ok`)."""
        if wanted is None:
            wanted = {line["number"]: "ok" for line in self.emulator.announced["lines"]}
        return wait_for(f"lines {wanted}", lambda: self.cli.lines(key),
                        lambda lines: all(lines.get(n, {}).get("state") == s
                                          for n, s in wanted.items()),
                        timeout=timeout)

    def close(self) -> list[str]:
        """SIGTERM the daemon (it must exit 0), then stop the emulator; what went wrong."""
        problems = []
        try:
            if self.daemon.running:
                self.daemon.resume()  # in case a failed test left it stopped
                code = self.daemon.terminate()
                if code != 0:
                    problems.append(f"the daemon exited {code} on SIGTERM, not 0")
        except AssertionError as error:
            problems.append(str(error))
        if self.daemon.process is not None:  # pytest shows it only when the test failed
            print(f"--- {self.daemon.log} ---\n{self.daemon.log_tail(200)}")
        code = self.emulator.stop()
        if code != 0:
            problems.append(f"the emulator exited {code}:\n{self.emulator.log.read_text()}")
        return problems


def build_desk(folder: Path, emulator_args: tuple[str, ...], lines: int,
               modems: list[dict[str, str]] | None, pace: dict | None = None,
               settings: dict | None = None, tables: str = "") -> Desk:
    folder.mkdir()
    emulator = Emulator(folder / "emu", folder / "emulator.log",
                        ("--lines", str(lines), *emulator_args))
    db = folder / "modemd.db"
    argv = modemd_argv("run", "--db", str(db))
    if modems is None:
        for line in emulator.announced["lines"]:
            argv += ["--port", line["port"]]
    if modems is not None or settings is not None or tables:
        config = folder / "modemd.toml"
        config.write_text((_daemon_toml(modems or [], pace, settings) + tables)
                          .replace("PORT", str(folder / "emu")))
        argv += ["--config", str(config)]
    agents = None if pace is None else folder / "agents.toml"  # Cli's $MODEMD_CONFIG
    if agents is not None:
        agents.write_text(_pace_toml(pace))
    return Desk(emulator, Daemon(argv, folder / "daemon.log"), Cli(db, agents))


def _pace_toml(pace: dict) -> str:
    return "[pace]\n" + "".join(
        f"{key} = {str(value).lower() if isinstance(value, bool) else value}\n"
        for key, value in pace.items())


def _daemon_toml(modems: list[dict[str, str]], pace: dict | None,
                 settings: dict | None) -> str:
    """The daemon's configuration: settings first (top-level keys), the [[modem]]
    tables; with settings, the agents' [pace] too (the daemon's API sends by it)."""
    text = "".join(f"{key} = {json.dumps(value)}\n" for key, value in (settings or {}).items())
    text += "".join("[[modem]]\n" + "".join(f'{k} = "{v}"\n' for k, v in modem.items())
                    for modem in modems)
    if settings is not None:
        text += _pace_toml(pace if pace is not None else {"enabled": False})
    return text


@contextlib.contextmanager
def shared_desk(prefix: str) -> Iterator[tuple[Desk, Path]]:
    """A running desk in a folder every user may enter (pytest's tmp_path is root's
    alone), for tests whose agent is another Unix user; and the lab's configuration
    there, which that user may read (desk.cli.env points at it too)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    desk = build_desk(folder / "desk", (), 2, None)
    lab = folder / "lab.toml"
    lab.write_text("[pace]\nenabled = false\n")
    lab.chmod(0o644)
    desk.cli.env = {"MODEMD_CONFIG": str(lab)}
    desk.daemon.start()
    try:
        yield desk, lab
    finally:
        problems = desk.close()
        shutil.rmtree(folder, ignore_errors=True)
        assert not problems, problems


@pytest.fixture
def make_desk(tmp_path: Path) -> Iterator[Callable[..., Desk]]:
    """make_desk(*emulator_args, lines=2, start=True, modems=None, pace=None,
    settings=None, tables="") -> Desk.

    start: start the daemon and, without modems, wait for every line `ok`.
    modems: [[modem]] tables for a config TOML (the daemon then gets --config instead of
    --port per line); PORT in a port value stands for the emulator folder.
    pace: the agents' [pace] table (default: the lab's, enabled = false; see hermetic).
    settings: top-level keys of the daemon's configuration, e.g. {"api_socket": PATH}.
    tables: TOML text appended to the daemon's configuration, e.g. [[webhook]] tables.
    """
    desks: list[Desk] = []

    def make(*emulator_args: str, lines: int = 2, start: bool = True,
             modems: list[dict[str, str]] | None = None, pace: dict | None = None,
             settings: dict | None = None, tables: str = "") -> Desk:
        desk = build_desk(tmp_path / f"desk{len(desks) + 1}", emulator_args, lines, modems,
                          pace, settings, tables)
        desks.append(desk)
        if start:
            desk.daemon.start()
            if modems is None:
                desk.wait_lines()
        return desk

    yield make
    problems = [problem for desk in desks for problem in desk.close()]
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture
def desk(make_desk: Callable[..., Desk]) -> Desk:
    """Two generic emulated lines and a running daemon with both lines `ok`."""
    return make_desk()
