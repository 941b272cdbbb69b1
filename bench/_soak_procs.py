"""The soak's hands on the daemon and the agents' CLI.

The daemon is the real `modemd run` process, started again and again in one run:
every start, kill -9, SIGSTOP/SIGCONT and SIGTERM is written to the run log, and
its stderr goes to one log file with a wall-clock stamp per line (the daemon's own
format has none), so log lines line up with the emulator's transcripts.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from _rig import MODEMD
from click.testing import CliRunner

from modemd.cli import main as modemd_cli

TERM_GRACE = 30.0  # SIGTERM finishes the part in flight; longer than this is a kill


class Daemon:
    def __init__(self, argv: list[str], log: Path, events: list[dict],
                 source: Path | None = None) -> None:
        self.argv = argv
        self.env = None if source is None else {**os.environ, "PYTHONPATH": str(source)}
        self.log_path = log
        self.events = events  # the run log's "daemon" list
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self._log = log.open("a", encoding="utf-8")
        self._lock = threading.Lock()
        self._pump: threading.Thread | None = None

    def _event(self, event: str, **detail: object) -> None:
        self.events.append({"time": time.time(), "event": event, **detail})
        self._write(f"==== soak: {event} {json.dumps(detail) if detail else ''}\n")

    def _write(self, text: str) -> None:
        with self._lock:
            self._log.write(text)
            self._log.flush()

    def start(self) -> None:
        assert not self.alive(), "the daemon is already running"
        self.starts += 1
        self._event("start", n=self.starts)
        # in the run's folder: `-m modemd` looks in the current directory first
        self.process = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, env=self.env,
                                        cwd=self.log_path.parent, stderr=subprocess.PIPE,
                                        start_new_session=True)
        self._pump = threading.Thread(target=self._copy, args=(self.process, self.starts),
                                      name="daemon-log", daemon=True)
        self._pump.start()

    def _copy(self, process: subprocess.Popen, n: int) -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            self._write(f"{time.time():.3f} [{n}] {raw.decode('utf-8', 'replace')}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def exited_by_itself(self) -> int | None:
        """The exit code if the process ended without the soak ending it (once)."""
        if self.process is None or self.process.poll() is None:
            return None
        code = self.process.returncode
        self._event("exit", code=code)
        self.process = None
        return code

    def kill(self, why: str = "") -> None:
        """kill -9: no clean-up at all, as a power cut or the OOM killer."""
        if self.alive():
            assert self.process is not None
            self._event("kill", why=why)
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.alive():
            self._event("stop")
            self.process.send_signal(signal.SIGSTOP)  # type: ignore[union-attr]

    def cont(self) -> None:
        if self.alive():
            self._event("cont")
            self.process.send_signal(signal.SIGCONT)  # type: ignore[union-attr]

    def terminate(self, grace: float = TERM_GRACE) -> int | None:
        """SIGTERM and wait; past the grace it is killed (a kill event). The exit code, or
        None when it had to be killed."""
        if not self.alive():
            self.process = None
            return None
        assert self.process is not None
        self._event("term")
        self.process.send_signal(signal.SIGCONT)  # a stopped process cannot act on SIGTERM
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill(why=f"SIGTERM not obeyed within {grace:.0f} s")
            return None
        self._event("exited", code=code)
        self.process = None
        return code

    def close(self) -> None:
        self.kill(why="soak finished")
        if self._pump is not None:
            self._pump.join(2)
        self._log.close()


class Agents:
    """`modemd send/resend ... --db DB --config CONFIG --json`, the very click commands, in
    this process (the soak's configuration: pace rules off)."""

    def __init__(self, db: Path, config: Path) -> None:
        self.db = db
        self.config = config

    def _run(self, *args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(modemd_cli, [*args, "--db", str(self.db),
                                                 "--config", str(self.config)])
        return result.exit_code, result.stdout, result.stderr

    def send(self, to: str, text: str, line: str | None) -> tuple[int | None, str | None]:
        """(message id, None) or (None, why it was refused)."""
        pin = ("--line", line) if line else ()
        code, out, err = self._run("send", to, text, *pin, "--operator", "soak", "--json")
        if code != 0:
            return None, (err or out).strip() or f"exit {code}"
        return int(json.loads(out)["id"]), None

    def resend(self, message_id: int) -> str | None:
        code, out, err = self._run("resend", str(message_id), "--operator", "soak")
        return None if code == 0 else (err or out).strip() or f"exit {code}"


def daemon_argv(config: Path) -> list[str]:
    return [*MODEMD, "run", "--config", str(config), "--log-level", "INFO"]
