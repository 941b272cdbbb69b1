"""A minimal Debian with a real systemd as PID 1, booted with systemd-nspawn.

The root is built once per machine with mmdebstrap and cached under
$MODEMD_TEST_CACHE (default /var/cache/modemd-tests), keyed by a hash of what goes
into it; each boot writes to an overlay above it, so the cache is never changed.
Where the host cannot do this the tests say why and skip, unless
MODEMD_REQUIRE_APPLIANCE=1 (CI), where it is a failure.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

CACHE = Path(os.environ.get("MODEMD_TEST_CACHE", "/var/cache/modemd-tests"))
SUITE = "bookworm"
PACKAGES = ("systemd", "systemd-sysv", "dbus", "passwd", "sudo", "python3", "python3-venv",
            "libudev1")
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BOOT_TIMEOUT = 30.0


def unavailable(reason: str) -> NoReturn:
    """Skip, saying why; a failure where CI demands the appliance tests."""
    if os.environ.get("MODEMD_REQUIRE_APPLIANCE") == "1":
        pytest.fail(f"MODEMD_REQUIRE_APPLIANCE=1, but {reason}", pytrace=False)
    pytest.skip(reason)


def require_host() -> None:
    if not sys.platform.startswith("linux"):
        unavailable("the appliance tests boot a Linux container")
    if os.geteuid() != 0:
        unavailable("booting a container with systemd-nspawn needs root")
    if shutil.which("systemd-nspawn") is None or shutil.which("nsenter") is None:
        unavailable("systemd-nspawn is not installed (apt-get install systemd-container)")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    """One builder at a time per cache entry (parallel test runs share the cache)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _build(target: Path, argv: list[str], what: str, timeout: float = 600) -> Path:
    """argv builds into target.tmp; renamed into place only when complete."""
    partial = target.with_name(target.name + ".tmp")
    shutil.rmtree(partial, ignore_errors=True)
    command = [part.replace("TARGET", str(partial)) for part in argv]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        unavailable(f"cannot build {what} ({' '.join(argv[:2])} exited {done.returncode}): "
                    f"{done.stderr.strip()[-600:]}")
    partial.rename(target)
    return target


def cached_root() -> Path:
    """The Debian root, built on the first run (about 30 s) and reused after."""
    root = CACHE / f"root-{_digest(SUITE, 'minbase', *PACKAGES)}"
    with _locked(root.name):
        if root.is_dir():
            return root
        if shutil.which("mmdebstrap") is None:
            unavailable("mmdebstrap is not installed (apt-get install mmdebstrap): it "
                        "builds the container's Debian root once")
        return _build(root, ["mmdebstrap", "--variant=minbase", "--quiet",
                             f"--include={','.join(PACKAGES)}", SUITE, "TARGET"],
                      "the Debian root")


def wheelhouse(pyproject: Path) -> Path:
    """modemd's dependencies as wheels, so installing in the container needs no index."""
    project = tomllib.loads(pyproject.read_text())
    wanted = sorted([*project["project"]["dependencies"], *project["build-system"]["requires"]])
    wheels = CACHE / f"wheels-{_digest(*wanted)}"
    with _locked(wheels.name):
        if wheels.is_dir():
            return wheels
        return _build(wheels, [sys.executable, "-m", "pip", "wheel", "--quiet",
                               "--wheel-dir", "TARGET", *wanted], "the wheelhouse")


class Machine:
    """One booted container: an overlay over the cached root, driven with nsenter."""

    def __init__(self, lower: Path, folder: Path, binds: list[str], name: str) -> None:
        self.lower, self.folder, self.binds, self.name = lower, folder, binds, name
        self.merged = folder / "merged"
        self.console = folder / "console.log"
        self.process: subprocess.Popen | None = None
        self.pid1 = 0
        self.overlay = False

    def prepare(self, files: dict[str, str]) -> None:
        """The overlay mounted, with files written into it before the boot."""
        for part in ("upper", "work", "merged"):
            (self.folder / part).mkdir(parents=True, exist_ok=True)
        options = (f"lowerdir={self.lower},upperdir={self.folder / 'upper'},"
                   f"workdir={self.folder / 'work'}")
        mounted = subprocess.run(["mount", "-t", "overlay", "overlay", "-o", options,
                                  str(self.merged)], capture_output=True, text=True, check=False)
        if mounted.returncode != 0:
            unavailable(f"cannot mount an overlay over the cached root: {mounted.stderr}")
        self.overlay = True
        for path, text in files.items():
            target = self.merged / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)

    def boot(self) -> None:
        # --register=no --keep-unit: the host has no system bus to register with.
        # Unified cgroups, CAP_BPF and bpf(): without them the unit's DevicePolicy= and
        # IPAddressDeny= would be silently not enforced.
        argv = ["systemd-nspawn", "--quiet", "--directory", str(self.merged), "--boot",
                "--machine", self.name, "--console=read-only", "--register=no",
                "--keep-unit", "--capability=CAP_BPF", "--system-call-filter=bpf", *self.binds]
        env = {**os.environ, "SYSTEMD_NSPAWN_UNIFIED_HIERARCHY": "1"}
        with self.console.open("w") as console:
            self.process = subprocess.Popen(argv, stdout=console, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=env,
                                            start_new_session=True)
        self.pid1 = self._wait_for_pid1()
        deadline = time.monotonic() + BOOT_TIMEOUT
        while True:  # --wait gives up at once while PID 1 does not answer yet
            state = self.sh("systemctl is-system-running --wait", check=False,
                            timeout=BOOT_TIMEOUT)
            if state.stdout.strip() in ("running", "degraded"):
                return
            if time.monotonic() > deadline:
                self._boot_failed(f"systemctl is-system-running says {state.stdout.strip()!r} "
                                  f"{state.stderr.strip()!r}")
            time.sleep(0.1)

    def _wait_for_pid1(self) -> int:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        deadline = time.monotonic() + BOOT_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._boot_failed(f"systemd-nspawn exited {self.process.returncode}")
            with contextlib.suppress(OSError):  # nspawn's child, once it is systemd
                pids = children.read_text().split()
                if pids and Path(f"/proc/{pids[0]}/comm").read_text().strip() == "systemd":
                    return int(pids[0])
            time.sleep(0.05)
        self._boot_failed(f"no PID 1 within {BOOT_TIMEOUT:.0f} s")

    def _boot_failed(self, what: str) -> NoReturn:
        tail = self.console.read_text(errors="replace")[-1500:]
        self.poweroff()
        unavailable(f"the container did not boot: {what}; its console:\n{tail}")

    def sh(self, script: str, *, user: str | None = None, check: bool = True,
           timeout: float = 60, stdin: str | None = None) -> subprocess.CompletedProcess:
        """bash -c SCRIPT inside the container, as root or as user (runuser)."""
        runas = ["runuser", "-u", user, "--"] if user else []
        argv = ["nsenter", "-t", str(self.pid1), "-a", "env", "-i", f"PATH={PATH}",
                "LANG=C.UTF-8", f"HOME=/home/{user}" if user else "HOME=/root",
                *runas, "bash", "-euo", "pipefail", "-c", script]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              input=stdin, check=False)
        if check and done.returncode != 0:
            raise AssertionError(f"in the container{' as ' + user if user else ''}: {script}\n"
                                 f"exited {done.returncode}\nstdout: {done.stdout}\n"
                                 f"stderr: {done.stderr}")
        return done

    def show(self, *properties: str, unit: str = "modemd") -> dict[str, str]:
        """systemctl show -p ... as a dict."""
        out = self.sh(f"systemctl show {unit} " + " ".join(f"-p {p}" for p in properties)).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def write(self, path: str, text: str, mode: str = "0644", owner: str = "root:root") -> None:
        self.sh(f"mkdir -p $(dirname {path}) && cat > {path}.new && chown {owner} {path}.new "
                f"&& chmod {mode} {path}.new && mv {path}.new {path}", stdin=text)

    def poweroff(self) -> None:
        """SIGTERM to nspawn shuts the container down; then the overlay goes."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.overlay:
            subprocess.run(["umount", "--lazy", str(self.merged)], check=False)
            self.overlay = False
            shutil.rmtree(self.folder / "upper", ignore_errors=True)
