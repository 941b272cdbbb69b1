"""Start a rig of emulated lines on ptys, with its control socket: `modemd emulator`."""

from __future__ import annotations

import os
import socket
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from modemd.emulator.control import SOCKET_NAME, ControlServer
from modemd.emulator.rig import NetworkOptions, Rig
from modemd.emulator.spec import LineSpec
from modemd.errors import InvalidInputError

DIR_ENV = "MODEMD_EMULATOR_DIR"


def default_directory() -> Path:
    """$MODEMD_EMULATOR_DIR, else a per-user folder in the temp dir."""
    configured = os.environ.get(DIR_ENV)
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"modemd-emulator-{os.getuid()}"


def socket_path(directory: Path) -> Path:
    return directory / SOCKET_NAME


@dataclass
class Running:
    rig: Rig
    server: ControlServer

    def close(self) -> None:
        self.server.close()
        self.rig.close()


def start(directory: Path, specs: list[LineSpec], options: NetworkOptions, *,
          kernel_names: bool = False) -> Running:
    """Lines on ptys under directory, links directory/NAME (or ttyEMU<N> with
    kernel_names), control at directory/control.sock."""
    if not specs:
        raise InvalidInputError("no lines to emulate: ask for at least one (--lines 1)")
    directory.mkdir(parents=True, exist_ok=True)
    path = socket_path(directory)
    if path.exists() and _listening(path):
        raise InvalidInputError(
            f"an emulator is already running on {directory}: stop it, or use another --dir"
        )
    rig = Rig(directory, options, kernel_names=kernel_names)
    try:
        for spec in specs:
            rig.add_line(spec)
        server = ControlServer(rig, path).start()
    except BaseException:
        rig.close()
        raise
    _settle(rig, specs)
    return Running(rig, server)


def _settle(rig: Rig, specs: list[LineSpec], timeout: float = 3.0) -> None:
    """Let unlocked SIMs register (as a modem does after power-on) before announcing."""
    deadline = time.monotonic() + timeout
    unlocked = [spec.name for spec in specs if not spec.pin_enabled]
    while time.monotonic() < deadline and any(
            rig.describe(name)["registration"] != 1 for name in unlocked):
        time.sleep(0.01)


def _listening(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def specs_for(count: int, profiles: tuple[str, ...], pin: str | None) -> list[LineSpec]:
    """count default lines; profiles[i] for line i+1 (the last one repeats)."""
    if not 1 <= count <= 99:
        raise InvalidInputError("--lines must be between 1 and 99")
    chosen = profiles or ("generic",)
    specs = []
    for index in range(1, count + 1):
        extra: dict[str, object] = {"profile": chosen[min(index, len(chosen)) - 1]}
        if pin is not None:
            extra.update(pin=pin, pin_enabled=True)
        specs.append(LineSpec.numbered(index, **extra))
    return specs


def load_config(path: Path) -> tuple[list[LineSpec], dict]:
    """[[line]] tables (LineSpec fields) and an optional [network] table."""
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InvalidInputError(f"emulator config {path}: {error}") from error
    specs = []
    for index, table in enumerate(data.get("line", []), start=1):
        unknown = set(table) - set(LineSpec.__dataclass_fields__)
        if unknown:
            raise InvalidInputError(f"{path}: line {index} has unknown keys {sorted(unknown)}")
        specs.append(LineSpec.numbered(index, **table))
    return specs, dict(data.get("network", {}))
