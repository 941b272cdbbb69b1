"""Vendor profiles: how one modem model differs from the 27.007 textbook, as data.

The TOML files live in fixtures/profiles/ and ship inside the package as
modemd.emulator.profile_data (see pyproject's package-dir).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from modemd.errors import InvalidInputError

PROFILE_PACKAGE = "modemd.emulator.profile_data"


@dataclass(frozen=True)
class PeriodicUrc:
    text: str  # may use {rssi}
    interval: float


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    manufacturer: str
    model: str
    revision: str
    ati: tuple[str, ...]
    line_end: str = "\r\n"
    unknown_command: str = "ERROR"
    storage: dict[str, int] = field(default_factory=lambda: {"SM": 30, "ME": 100, "SR": 20})
    cpin_ready_without_ok: bool = False
    cfun_test: str = "+CFUN: (0,1,4),(0,1)"
    cnmi_default: tuple[int, ...] = (1, 1, 0, 0, 0)
    cnmi_test: str = "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"
    iccid_commands: dict[str, str] = field(default_factory=lambda: {"+CCID": "+CCID: "})
    vendor_ok: tuple[str, ...] = ()
    boot_urcs: tuple[str, ...] = ()
    sim_ready_urcs: tuple[str, ...] = ()
    periodic_urcs: tuple[PeriodicUrc, ...] = ()
    empty_read: str = "error"  # AT+CMGR on an empty index: "error" (+CMS 321) or "ok"
    esc_reply: str = "OK"  # what ESC at the > prompt answers; "" for nothing
    reboot_seconds: float = 1.0
    register_seconds: float = 0.05

    @property
    def memories(self) -> tuple[str, ...]:
        return tuple(self.storage)


def available() -> list[str]:
    """Names of the built-in profiles."""
    root = resources.files(PROFILE_PACKAGE)
    return sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml"))


def load(name_or_path: str) -> Profile:
    """A built-in profile by name, or a TOML file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.is_file():
        return parse(tomllib.loads(path.read_text()), source=str(path))
    resource = resources.files(PROFILE_PACKAGE) / f"{name_or_path}.toml"
    if not resource.is_file():
        raise InvalidInputError(
            f"unknown modem profile {name_or_path!r}: use one of {', '.join(available())} "
            "or a path to a .toml profile"
        )
    return parse(tomllib.loads(resource.read_text()), source=name_or_path)


def parse(data: dict, *, source: str) -> Profile:
    """Build a Profile from TOML data; unknown keys are an error, not a silent typo."""
    known = set(Profile.__dataclass_fields__)
    unknown = set(data) - known
    if unknown:
        raise InvalidInputError(
            f"profile {source}: unknown keys {sorted(unknown)}; known keys are {sorted(known)}"
        )
    values = dict(data)
    for key in ("ati", "vendor_ok", "boot_urcs", "sim_ready_urcs", "cnmi_default"):
        if key in values:
            values[key] = tuple(values[key])
    if "periodic_urcs" in values:
        values["periodic_urcs"] = tuple(PeriodicUrc(**u) for u in values["periodic_urcs"])
    try:
        return Profile(**values)
    except TypeError as exc:
        raise InvalidInputError(f"profile {source}: {exc}") from exc
