"""Configuration: TOML found by --config, $MODEMD_CONFIG, ./modemd.toml, then
/etc/modemd/modemd.toml. Precedence: flag > environment > file > default."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from modemd.errors import InvalidInputError

SEARCH = (Path("modemd.toml"), Path("/etc/modemd/modemd.toml"))
DEFAULT_DATABASE = Path("modemd.db")
_MODEM_KEYS = {"port", "baudrate", "name", "pin", "rtscts"}
_TOP_KEYS = {"database", "modem", "default_region", "report_deadline_hours",
             "reassembly_timeout_minutes", "sweep_minutes", "monitor_seconds"}


@dataclass(frozen=True)
class ModemConfig:
    port: str  # a path (prefer a udev by-path link) or a pyserial URL
    baudrate: int = 115200
    name: str | None = None
    pin: str | None = None
    rtscts: bool = False


@dataclass(frozen=True)
class Config:
    database: Path = DEFAULT_DATABASE
    modems: tuple[ModemConfig, ...] = ()
    default_region: str | None = None  # for numbers typed without +<country>
    report_deadline_hours: float = 48.0
    reassembly_timeout_minutes: float = 10.0
    sweep_minutes: float = 5.0
    monitor_seconds: float = 60.0
    source: Path | None = field(default=None, compare=False)


def find(flag: str | None) -> Path | None:
    """The config file in force, or None."""
    if flag:
        return _existing(Path(flag), "--config")
    env = os.environ.get("MODEMD_CONFIG")
    if env:
        return _existing(Path(env), "$MODEMD_CONFIG")
    return next((p for p in SEARCH if p.is_file()), None)


def _existing(path: Path, origin: str) -> Path:
    if not path.is_file():
        raise InvalidInputError(f"{origin} names {path}, which does not exist: fix the path")
    return path


def load(flag: str | None = None, *, db: str | None = None,
         ports: tuple[str, ...] = ()) -> Config:
    path = find(flag)
    data = _read(path) if path else {}
    modems = tuple(_modem(entry, path) for entry in data.get("modem", []))
    modems += tuple(ModemConfig(port=port) for port in ports)
    database = db or os.environ.get("MODEMD_DB") or data.get("database") or DEFAULT_DATABASE
    values = {k: data[k] for k in _TOP_KEYS - {"database", "modem"} if k in data}
    return Config(database=Path(database), modems=modems, source=path, **values)


def _read(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InvalidInputError(f"cannot read the configuration {path}: {error}") from error
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise InvalidInputError(f"{path}: unknown settings {sorted(unknown)}; "
                                f"known: {sorted(_TOP_KEYS)}")
    return data


def _modem(entry: dict, path: Path | None) -> ModemConfig:
    unknown = set(entry) - _MODEM_KEYS
    if unknown or "port" not in entry:
        raise InvalidInputError(f"{path}: each [[modem]] needs port and may have "
                                f"{sorted(_MODEM_KEYS - {'port'})}; got {sorted(entry)}")
    return ModemConfig(**entry)
