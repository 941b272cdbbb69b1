"""Configuration: TOML found by --config, $MODEMD_CONFIG, ./modemd.toml, then
/etc/modemd/modemd.toml. Precedence: flag > environment > file > default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from modemd.config_tables import (
    NUMBER as _NUMBER,
)
from modemd.config_tables import (
    Hook,
    Pace,
    Webhook,
    check_keys,
    hook,
    pace,
    webhook,
)
from modemd.errors import InvalidInputError

__all__ = ["Config", "Hook", "ModemConfig", "Pace", "Webhook", "find", "host_port", "load"]

SEARCH = (Path("modemd.toml"), Path("/etc/modemd/modemd.toml"))
DEFAULT_DATABASE = Path("modemd.db")
# What udev/77-modemd.rules links: every AT port of a supported modem, by USB path.
DEFAULT_DISCOVER = ("/dev/modemd/by-path/*",)
_MODEM_KEYS = {"port": str, "imei": str, "iccid": str, "baudrate": int, "name": str,
               "pin": str, "rtscts": bool}
_TOP_KEYS = {"database": str, "modem": list, "default_region": str,
             "report_deadline_hours": _NUMBER, "reassembly_timeout_minutes": _NUMBER,
             "sweep_minutes": _NUMBER, "monitor_seconds": _NUMBER, "discover": list,
             "discover_grace_seconds": _NUMBER, "scan_seconds": _NUMBER, "metrics": str,
             "retention_days": _NUMBER, "webhook": list, "hook": list,
             "webhook_retry_hours": _NUMBER, "api_socket": str, "api_listen": str,
             "api_tls_cert": str, "api_tls_key": str}
_TABLES = {"pace": dict}  # [pace]; scalar settings are _TOP_KEYS
_MATCHERS = ("port", "imei", "iccid")


@dataclass(frozen=True)
class ModemConfig:
    """Settings for one modem, bound to a port, or to the hardware wherever it appears:
    the modem's IMEI or its SIM's ICCID (then `discover` finds the port)."""

    port: str | None = None  # a path (prefer a udev by-path link) or a pyserial URL
    baudrate: int = 115200
    name: str | None = None
    pin: str | None = None
    rtscts: bool = False
    imei: str | None = None
    iccid: str | None = None

    def matches(self, imei: str | None, iccid: str | None) -> bool:
        """An identity entry that names this hardware (port entries match by port)."""
        return bool((self.imei and self.imei == imei) or (self.iccid and self.iccid == iccid))

    @property
    def label(self) -> str:
        return self.name or self.port or self.imei or self.iccid or "modem"


@dataclass(frozen=True)
class Config:
    database: Path = DEFAULT_DATABASE
    modems: tuple[ModemConfig, ...] = ()
    default_region: str | None = None  # for numbers typed without +<country>
    report_deadline_hours: float = 48.0
    reassembly_timeout_minutes: float = 10.0
    sweep_minutes: float = 5.0
    monitor_seconds: float = 60.0
    discover: tuple[str, ...] = ()  # globs; every matching port is driven as it comes
    discover_grace_seconds: float = 30.0  # a vanished port's worker stops after this
    scan_seconds: float = 2.0  # the periodic scan behind (or instead of) udev events
    metrics: str | None = None  # "HOST:PORT" for Prometheus; off unless set
    retention_days: float | None = None  # prune older messages; None keeps everything
    api_socket: str | None = None  # the API's Unix socket; None: the runtime directory's
    api_listen: str | None = None  # "HOST:PORT" adds the API over TCP (bearer tokens)
    api_tls_cert: str | None = None  # PEM files: TLS on api_listen when both are set
    api_tls_key: str | None = None
    pace: Pace = field(default_factory=Pace)
    webhooks: tuple[Webhook, ...] = ()
    hooks: tuple[Hook, ...] = ()
    webhook_retry_hours: float = 24.0  # a delivery still failing then is failed
    source: Path | None = field(default=None, compare=False)

    @property
    def fixed(self) -> tuple[ModemConfig, ...]:
        """The entries bound to a port: each gets its worker at start."""
        return tuple(modem for modem in self.modems if modem.port is not None)

    @property
    def by_identity(self) -> tuple[ModemConfig, ...]:
        """The entries that follow the hardware (IMEI or ICCID) to whatever port."""
        return tuple(modem for modem in self.modems if modem.port is None)

    @property
    def metrics_address(self) -> tuple[str, int] | None:
        return None if self.metrics is None else host_port(self.metrics, "metrics")

    @property
    def api_address(self) -> tuple[str, int] | None:
        return None if self.api_listen is None else host_port(self.api_listen, "api_listen")


def host_port(text: str, key: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidInputError(f"{key} = {text!r} is not HOST:PORT: write e.g. "
                                f"\"127.0.0.1:9597\"")
    return host.strip("[]"), int(port)


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
    values = {k: data[k] for k in _TOP_KEYS.keys() - {"database", "modem", "discover",
                                                     "webhook", "hook"} if k in data}
    config = Config(database=Path(database), modems=modems, source=path,
                    discover=_discover(data, modems, path),
                    pace=pace(data.get("pace", {}), path),
                    webhooks=tuple(webhook(entry, path) for entry in data.get("webhook", [])),
                    hooks=tuple(hook(entry, path) for entry in data.get("hook", [])),
                    **values)
    config.metrics_address  # noqa: B018  (a bad address is refused now, not at start)
    config.api_address  # noqa: B018
    _check_positive(config, path)
    _check_tls(config, path)
    return config


def _check_positive(config: Config, path: Path | None) -> None:
    for key in ("retention_days", "scan_seconds", "monitor_seconds", "sweep_minutes",
                "report_deadline_hours", "reassembly_timeout_minutes",
                "webhook_retry_hours"):
        value = getattr(config, key)
        if value is not None and value <= 0:
            raise InvalidInputError(f"{path}: {key} = {value} must be more than 0")
    if config.discover_grace_seconds < 0:
        raise InvalidInputError(f"{path}: discover_grace_seconds cannot be negative")


def _check_tls(config: Config, path: Path | None) -> None:
    """TLS needs both files, and is for the TCP listener (the socket needs none)."""
    cert, key = config.api_tls_cert, config.api_tls_key
    if (cert is None) != (key is None):
        given, missing = ("api_tls_cert", "api_tls_key") if key is None else (
            "api_tls_key", "api_tls_cert")
        raise InvalidInputError(f"{path}: {given} is set but {missing} is not: TLS needs "
                                "the certificate and its private key (PEM files); set both")
    if cert is not None and config.api_listen is None:
        raise InvalidInputError(f"{path}: api_tls_cert and api_tls_key are for the TCP "
                                "listener, and api_listen is not set: set api_listen = "
                                "\"HOST:PORT\", or remove them (the Unix socket needs no TLS)")


def _discover(data: dict, modems: tuple[ModemConfig, ...], path: Path | None) -> tuple[str, ...]:
    """As configured; by default the udev links, unless ports are listed by hand."""
    if "discover" not in data:
        return () if any(modem.port for modem in modems) else DEFAULT_DISCOVER
    globs = data["discover"]
    if not all(isinstance(glob, str) and glob for glob in globs):
        raise InvalidInputError(f"{path}: discover is a list of path globs, e.g. "
                                f"[\"/dev/modemd/by-path/*\"]; got {globs!r}")
    if not globs and any(modem.port is None for modem in modems):
        raise InvalidInputError(f"{path}: a [[modem]] matched by imei or iccid needs "
                                f"discover to find its port: set discover, or give port")
    return tuple(globs)


def _read(path: Path) -> dict:
    import tomllib  # noqa: PLC0415  (only a command that finds a file reads one)

    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InvalidInputError(f"cannot read the configuration {path}: {error}") from error
    check_keys(data, _TOP_KEYS | _TABLES, f"{path}")
    return data


def _modem(entry: dict, path: Path | None) -> ModemConfig:
    check_keys(entry, _MODEM_KEYS, f"{path}: [[modem]]")
    matchers = [key for key in _MATCHERS if key in entry]
    if len(matchers) != 1:
        raise InvalidInputError(
            f"{path}: each [[modem]] names its modem by exactly one of port, imei or iccid "
            f"(got {matchers or 'none'}); it may also have name, pin, baudrate, rtscts")
    return ModemConfig(**entry)
