"""The appliance under a real systemd: a Debian container (machine.py) where the
README's appliance commands install modemd from this repository (bind-mounted
read-only), driving emulated modems whose ptys the host's `modemd emulator` owns.

One container for this folder's tests (booting and installing take most of the
time); test_uninstall.py sorts last and takes it away. The daemon is driven with
systemctl and the `modemd` CLI inside the container, as the agents there would.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from e2e.conftest import Emulator, wait_for

from . import machine as machines
from .machine import Machine

ROOT = Path(__file__).resolve().parents[2]
SOURCE_PARENT = "/srv"  # the README's `cd modemd` lands in /srv/modemd, the bind mount
WHEELS = "/var/cache/modemd-wheels"
PIP_CONF = f"[global]\nno-index = true\nfind-links = {WHEELS}\ndisable-pip-version-check = true\n"
CONFIG = "/etc/modemd/modemd.toml"
STATE = "/var/lib/modemd"
SERVICE_CGROUP = "/sys/fs/cgroup/system.slice/modemd.service/cgroup.procs"
AGENT, OUTSIDER = "alice", "mallory"
DONE = ("sent", "delivered")
T = TypeVar("T")

__all__ = ["AGENT", "CONFIG", "DONE", "OUTSIDER", "STATE", "Appliance", "appliance", "wait_for"]


def readme_commands() -> list[str]:
    """The shell block of the README's `## Appliance` section, comments dropped."""
    text = (ROOT / "README.md").read_text()
    section = re.search(r"^## Appliance\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert section, "README.md has no ## Appliance section"
    block = re.search(r"```sh\n(.*?)```", section.group(1), re.DOTALL)
    assert block, "the README's Appliance section has no ```sh block"
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def install_script(commands: list[str]) -> str:
    """The README's commands verbatim, run from the folder the checkout (the bind mount)
    is in."""
    assert len(commands) <= 5, f"the README promises about four commands: {commands}"
    assert commands[0] == "cd modemd", f"the first command enters the checkout: {commands[0]}"
    return "\n".join([f"cd {SOURCE_PARENT}", *commands])


class Appliance:
    """The booted container with modemd installed and two emulated lines configured."""

    def __init__(self, machine: Machine, emulator: Emulator, installed: str) -> None:
        self.machine, self.emulator, self.installed = machine, emulator, installed
        self.metrics = f"127.0.0.1:{_free_port()}"  # the container shares the host's network

    def configure(self, ports: list[str]) -> None:
        # the tests queue bursts as one agent: no pause between sends, other limits on
        self.machine.write(CONFIG, f'database = "{STATE}/modemd.db"\n'
                           f'metrics = "{self.metrics}"\n'
                           "\n[pace]\nper_agent_seconds = 0\n" + "".join(
            f'\n[[modem]]\nport = "{port}"\nname = "desk-{n}"\n'
            for n, port in enumerate(ports, 1)), mode="0640", owner="root:modemd")

    def in_service_cgroup(self, script: str) -> subprocess.CompletedProcess:
        """A root shell moved into modemd.service's cgroup: under its device and IP
        policies (not its namespaces)."""
        return self.machine.sh(f"echo $$ > {SERVICE_CGROUP} && {script}", check=False)

    def cli(self, *args: str, user: str | None = AGENT, check: bool = True) -> Any:
        """`modemd ARGS --json` as an agent in the container (through the API socket),
        or as root (user None: on the database itself): the parsed answer."""
        done = self.machine.sh("cd && modemd " + shlex.join(args) + " --json",
                               user=user, check=check)
        return json.loads(done.stdout) if check else done

    def send(self, to: str, text: str, user: str | None = AGENT) -> int:
        answer = self.cli("send", to, text, user=user)
        assert answer["status"] == "queued", answer
        return int(answer["id"])

    def status(self, message_id: int, user: str | None = AGENT) -> str:
        return self.cli("show", str(message_id), user=user)["status"]

    def wait_status(self, message_id: int, wanted: tuple[str, ...] = DONE,
                    timeout: float = 20) -> str:
        return self.wait(f"message {message_id} {wanted}", lambda: self.status(message_id),
                         lambda status: status in wanted, timeout=timeout)

    def wait_lines_ok(self, timeout: float = 20) -> list[dict]:
        def ok(lines: list[dict]) -> bool:
            return len(lines) == 2 and all(line["state"] == "ok" for line in lines)

        return self.wait("both lines ok", lambda: self.cli("status")["lines"], ok,
                         timeout=timeout)

    def wait(self, what: str, probe: Callable[[], T], done: Callable[[T], Any] = bool,
             timeout: float = 20, interval: float = 0.3) -> T:
        """wait_for, with the daemon's journal when it times out."""
        try:
            return wait_for(what, probe, done, timeout=timeout, interval=interval)
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- journalctl -u modemd ---\n"
                                 f"{self.journal()}") from None

    def submitted(self, text: str) -> int:
        """How often the emulated network got this text, from either line."""
        return self.emulator.submitted_texts("line1", "line2")[text]

    def unit(self, *properties: str) -> dict[str, str]:
        return self.machine.show(*properties)

    def journal(self, lines: int = 60) -> str:
        return self.machine.sh(f"journalctl -u modemd --no-pager -n {lines}").stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _modem_ttys(emulator: Emulator, lower: Path) -> dict[str, str]:
    """The emulator's ptys as udev leaves a modem's tty (0660 root:dialout, the
    container's dialout), each bound alone: {host tty: its path in the container}."""
    dialout = next(line.split(":")[2] for line in (lower / "etc/group").read_text()
                   .splitlines() if line.startswith("dialout:"))
    ttys = {}
    for line in emulator.announced["lines"]:
        tty = Path(line["tty"])
        tty.chmod(0o660)
        os.chown(tty, -1, int(dialout))
        ttys[str(tty)] = f"/dev/hostpts/{tty.name}"
    return ttys


@pytest.fixture(scope="package")
def appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    machines.require_host()
    script = install_script(readme_commands())
    lower, wheels = machines.cached_root(), machines.wheelhouse(ROOT / "pyproject.toml")
    folder = tmp_path_factory.mktemp("appliance")
    emulator = Emulator(folder / "emu", folder / "emulator.log", ("--lines", "2"))
    machine = None
    try:
        ttys = _modem_ttys(emulator, lower)
        machine = Machine(lower, folder / "machine", name=f"modemd-{secrets.token_hex(3)}",
                          binds=[f"--bind-ro={ROOT}:{SOURCE_PARENT}/modemd",
                                 f"--bind-ro={wheels}:{WHEELS}",
                                 *(f"--bind={host}:{inside}" for host, inside in ttys.items())])
        machine.prepare({"/etc/pip.conf": PIP_CONF})
        machine.boot()
        machine.sh(f"useradd --create-home {AGENT} && useradd --create-home {OUTSIDER}")
        installed = machine.sh(script, timeout=300)
        appliance = Appliance(machine, emulator, installed.stdout + installed.stderr)
        appliance.configure(list(ttys.values()))
        machine.sh("systemctl restart modemd")
        appliance.wait_lines_ok()
        yield appliance
    finally:
        if machine is not None:
            machine.poweroff()
        emulator.stop()
