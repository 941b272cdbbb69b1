"""The rig behind fakemodem:// URLs in this process."""

from __future__ import annotations

import threading
from urllib.parse import parse_qsl, urlsplit

import serial

from modemd.emulator.ports import MemoryPort
from modemd.emulator.rig import Rig
from modemd.emulator.spec import LineSpec
from modemd.errors import InvalidInputError

HANDLER_PACKAGE = "modemd.emulator"
_lock = threading.Lock()
_rig: Rig | None = None

_BOOL_FIELDS = {"pin_enabled", "number_on_sim"}
_INT_FIELDS = {"rssi"}


def register_url_handler() -> None:
    """Make serial.serial_for_url understand fakemodem://."""
    if HANDLER_PACKAGE not in serial.protocol_handler_packages:
        serial.protocol_handler_packages.append(HANDLER_PACKAGE)


def install(rig: Rig) -> None:
    """Serve fakemodem:// URLs from this rig (it must be an in-memory one)."""
    global _rig  # noqa: PLW0603  (one rig per process, by design)
    if rig.directory is not None:
        raise InvalidInputError("fakemodem:// needs an in-memory rig (directory=None)")
    with _lock:
        _rig = rig


def rig() -> Rig:
    global _rig  # noqa: PLW0603
    with _lock:
        if _rig is None:
            _rig = Rig()
        return _rig


def spec_from_url(url: str, index: int) -> LineSpec:
    """fakemodem://NAME?profile=..&number=..&pin=..&pin_enabled=1 -> a LineSpec."""
    parts = urlsplit(url)
    if parts.scheme != "fakemodem" or not parts.netloc:
        raise InvalidInputError(f"{url!r}: expected fakemodem://NAME[?profile=...]")
    options: dict[str, object] = {"name": parts.netloc}
    for key, value in parse_qsl(parts.query):
        if key not in LineSpec.__dataclass_fields__ or key == "name":
            raise InvalidInputError(f"{url!r}: unknown option {key!r}")
        if key in _BOOL_FIELDS:
            options[key] = value.lower() in ("1", "true", "yes", "on")
        elif key in _INT_FIELDS:
            options[key] = int(value)
        else:
            options[key] = value
    return LineSpec.numbered(index, **options)


def _free_index(current: Rig) -> int:
    """The lowest line number whose default name and number nobody uses yet."""
    taken = {m.spec.number for m in current.network.modems.values()}
    names = set(current.network.modems)
    return next(i for i in range(1, 100)
                if LineSpec.numbered(i).number not in taken
                and LineSpec.numbered(i).name not in names)


def port_for_url(url: str) -> MemoryPort:
    """The port for a URL, creating the line on first use."""
    current = rig()
    name = urlsplit(url).netloc
    with _lock:
        if name not in current.ports:
            current.add_line(spec_from_url(url, _free_index(current)))
        port = current.ports[name]
    if not isinstance(port, MemoryPort):
        raise InvalidInputError(f"line {name!r} is on a pty, not in memory")
    return port
