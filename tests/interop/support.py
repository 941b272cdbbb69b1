"""Helpers for the interop tests: a running `modemd emulator`, gammu, and their outputs.

Nothing here imports the emulator: it is started and driven the way a tester
does it, through `python -m modemd emulator` and its control socket (JSON lines,
see modemd/emulator/control.py), so the tests see only what a client sees.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import serial

REPO = Path(__file__).resolve().parents[2]
PROFILES = REPO / "fixtures" / "profiles"
START_TIMEOUT = 15.0
GAMMU_TIMEOUT = 20.0  # the slowest healthy gammu call here takes ~6 s; a hung one never ends


def profile(name: str) -> dict[str, Any]:
    """A built-in vendor profile, read as test data straight from fixtures/profiles/."""
    return tomllib.loads((PROFILES / f"{name}.toml").read_text())


def number(index: int) -> str:
    """The number of emulated line N (the emulator's documented numbering)."""
    return f"+120155501{index:02d}"


def wait_for(condition: Callable[[], Any], timeout: float = 5.0, what: str = "") -> Any:
    """Poll condition until it is truthy; raise AssertionError at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(0.02)


class Inbox:
    """A callback that collects what GsmModem hands over, and waits for it."""

    def __init__(self) -> None:
        self.items: list = []
        self._changed = threading.Condition()

    def __call__(self, item: object) -> None:
        with self._changed:
            self.items.append(item)
            self._changed.notify_all()

    def wait(self, count: int, timeout: float = 5.0) -> list:
        with self._changed:
            self._changed.wait_for(lambda: len(self.items) >= count, timeout)
        assert len(self.items) >= count, f"got {len(self.items)} of {count}: {self.items}"
        return self.items


class Emulator:
    """One `modemd emulator` subprocess with its folder of port links and control socket."""

    def __init__(self, directory: Path, args: list[str]) -> None:
        self.directory = directory
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None
        self.log = directory.with_suffix(".log")
        self.terminated = False

    # ---- life ------------------------------------------------------------------------

    def start(self) -> Emulator:
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "modemd", "emulator", "--dir", str(self.directory),
                   *self.args, "--json"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=log)
        return self

    def wait_ready(self) -> list[dict]:
        """Until the control socket answers with every unlocked line registered; then
        `modemd emulator --dir DIR lines --json` must say the same."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"the emulator exited with {self.process.returncode}: "
                                     f"{self.log.read_text(errors='replace')}")
            try:
                lines = self.ctl("lines")
            except (OSError, AssertionError, ValueError):
                lines = []
            if lines and all(line["registration"] in (1, 5) or line["sim"] != "READY"
                             for line in lines):
                listed = self.cli_json("lines", "--json")
                assert [line["name"] for line in listed] == [line["name"] for line in lines]
                return listed
            time.sleep(0.05)
        raise AssertionError(f"the emulator in {self.directory} did not answer within "
                             f"{START_TIMEOUT}s: {self.log.read_text(errors='replace')}")

    def terminate(self) -> None:
        """SIGTERM, once, as systemd stops a service. (A second one could land after
        Python's shutdown has restored the default action, and kill it with -15.)"""
        assert self.process is not None
        if self.process.poll() is None and not self.terminated:
            self.terminated = True
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> int:
        """SIGTERM, then wait; returns the exit status."""
        assert self.process is not None
        self.terminate()
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("the emulator ignored SIGTERM for 15 s") from None

    # ---- driving it --------------------------------------------------------------------

    def port(self, index: int) -> str:
        return str(self.directory / f"line{index}")

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """`modemd emulator --dir DIR ARGS...`, as a tester types it."""
        done = subprocess.run(
            [sys.executable, "-m", "modemd", "emulator", "--dir", str(self.directory), *args],
            cwd=REPO, capture_output=True, text=True, timeout=30, check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"modemd emulator {' '.join(args)} -> {done.returncode}: "
                                 f"{done.stdout}{done.stderr}")
        return done

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args).stdout)

    def ctl(self, op: str, **args: Any) -> Any:
        """One request on DIR/control.sock (the protocol the CLI speaks), for speed."""
        request = {"op": op, **{k: v for k, v in args.items() if v is not None}}
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect(str(self.directory / "control.sock"))
            sock.sendall(json.dumps(request).encode() + b"\n")
            answer = json.loads(sock.makefile("rb").readline())
        if not answer.get("ok"):
            raise AssertionError(f"control {op} {args}: {answer.get('error')}")
        return answer.get("result")

    def stored(self, index: int, memory: str | None = None) -> int:
        """How many messages line N holds (in one memory, or in all)."""
        storage = self.ctl("storage", line=f"line{index}")
        return sum(len(v) for k, v in storage.items() if memory in (None, k))

    def inject(self, index: int, sender: str, text: str, **options: Any) -> dict:
        return self.ctl("inject", line=f"line{index}", sender=sender, text=text, **options)

    def submitted(self, index: int) -> list[dict]:
        """What line N submitted, decoded (over the control socket)."""
        return self.ctl("submitted", line=f"line{index}")

    def submitted_cli(self, index: int) -> list[dict]:
        """The same through `modemd emulator submitted lineN --json`, as a tester reads it."""
        return self.cli_json("submitted", f"line{index}", "--json")

    def transcript_text(self, index: int, direction: str = "tx") -> str:
        entries = self.ctl("transcript", line=f"line{index}")
        return "".join(e["text"] for e in entries if e["dir"] == direction)


def at_command(port: str, command: str, timeout: float = 5.0) -> str:
    """Send one AT command line on a port and return what came back, up to the final code.

    For one-time modem setup, as an operator does it with a terminal before running
    a client.
    """
    with serial.Serial(port, 115200, timeout=0.1) as link:
        link.write(command.encode() + b"\r")
        answer = b""
        deadline = time.monotonic() + timeout
        while not re.search(rb"\r\n(OK|ERROR|COMMAND NOT SUPPORT|\+CM[ES] ERROR[^\r]*)\r",
                            answer):
            if time.monotonic() > deadline:
                raise AssertionError(f"{command} on {port}: no final result code in {answer!r}")
            answer += link.read(256)
    return answer.decode("latin-1")


# ---- gammu -------------------------------------------------------------------------------


@dataclass
class GammuRun:
    """One gammu invocation: what was asked, what it printed, and its debug log."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    log: Path

    def __str__(self) -> str:
        tail = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        return (f"gammu {' '.join(self.args)} -> {self.returncode}\n--- stdout\n{self.stdout}"
                f"\n--- stderr\n{self.stderr}\n--- debug log (tail of {self.log})\n{tail}")


@dataclass
class Gammu:
    """Runs the gammu binary against one emulated line, with a debug log per run."""

    binary: str
    emulator: Emulator

    def __call__(self, index: int, *args: str) -> GammuRun:
        log = self.emulator.directory.parent / (
            f"gammu-{self.emulator.directory.name}-line{index}-{time.monotonic_ns()}.log")
        config = log.with_suffix(".rc")
        config.write_text(f"[gammu]\ndevice = {self.emulator.port(index)}\nconnection = at\n"
                          f"logformat = textalldate\nlogfile = {log}\n")
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        done = subprocess.run([self.binary, "-c", str(config), *args], capture_output=True,
                              timeout=GAMMU_TIMEOUT, env=env, encoding="utf-8",
                              errors="replace", check=False)
        return GammuRun(list(args), done.returncode, done.stdout, done.stderr, log)


def parse_fields(output: str) -> dict[str, str]:
    """`Key   : value` lines (gammu identify, message headers) -> {key: value}."""
    fields = {}
    for line in output.splitlines():
        key, sep, value = line.partition(" : ")
        if sep:
            fields[key.strip()] = value.strip().strip('"')
    return fields


LOCATION = re.compile(r"^Location (\d+), folder \"([^\"]*)\"")
SUMMARY = re.compile(r"^\d+ SMS parts in \d+ SMS sequences")


@dataclass
class ListedSms:
    """One message as gammu getallsms/geteachsms prints it."""

    locations: list[int] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    body: list[str] = field(default_factory=list)
    header_done: bool = False

    @property
    def remote(self) -> str:
        return self.fields.get("Remote number", "")

    @property
    def udh(self) -> str:
        return self.fields.get("User Data Header", "")

    @property
    def coding(self) -> str:
        return self.fields.get("Coding", "")

    @property
    def text(self) -> str:
        return "\n".join(self.body).strip("\n")


def parse_sms_listing(output: str) -> list[ListedSms]:
    """gammu getallsms/geteachsms output -> messages (geteachsms: linked parts as one)."""
    messages: list[ListedSms] = []
    current: ListedSms | None = None
    for line in output.splitlines():
        match = LOCATION.match(line)
        if match:
            if current is None or current.header_done:
                current = ListedSms()
                messages.append(current)
            current.locations.append(int(match.group(1)))
        elif SUMMARY.match(line):
            break
        elif current is None or line == "SMS message":
            continue
        elif not current.header_done:
            key, sep, value = line.partition(" : ")
            if sep:
                current.fields[key.strip()] = value.strip().strip('"')
            elif not line.strip() and current.fields:
                current.header_done = True
        else:
            current.body.append(line)
    return messages
