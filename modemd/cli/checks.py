"""`modemd check`: what would stop `modemd run` from working, found without starting it
or creating anything. Each check is {check, subject, state, text}; state is ok,
WARNING (works, but watch it), ERROR (fix it first) or skipped (cannot be checked)."""

from __future__ import annotations

import contextlib
import grp
import os
import subprocess
from pathlib import Path

from modemd import config as configuration
from modemd.desk.liveness import lock_held
from modemd.errors import InvalidInputError
from modemd.services.discovery import scan
from modemd.store import StoreError, check_files, retention

OK, WARNING, ERROR, SKIPPED = "ok", "WARNING", "ERROR", "skipped"
SQLITE_HEADER = b"SQLite format 3\x00"
TOOL_SECONDS = 5.0  # systemctl or udevadm hanging must not hang the check


def found(check: str, subject: str, state: str, text: str) -> dict:
    return {"check": check, "subject": subject, "state": state, "text": text}


def run_checks(config_path: str | None, db: str | None, ports: tuple[str, ...]) -> list[dict]:
    try:
        config = configuration.load(config_path, db=db, ports=ports)
    except InvalidInputError as error:
        return [found("config", config_path or "-", ERROR, str(error))]
    results = [_config(config), _database(config.database), _retention(config.retention_days)]
    results += [_port(modem) for modem in config.fixed]
    matched = _discovered(config)
    results += [found("discover", pattern, OK, _matches(paths))
                for pattern, paths in matched.items()]
    if not config.fixed and not any(matched.values()):
        results.append(found("modems", "-", WARNING, "no modem to drive right now: plug "
                             "one in, or list its port in a [[modem]] table"))
    local = [m.port for m in config.fixed if m.port and "://" not in m.port]
    return results + _modemmanager(local + [p for ps in matched.values() for p in ps])


def _config(config: configuration.Config) -> dict:
    counts = (f"{len(config.fixed)} modem(s) by port, {len(config.by_identity)} by "
              f"identity, {len(config.discover)} discover glob(s)")
    if config.source is None:
        return found("config", "-", WARNING, f"no configuration file (looked for "
                     f"{', '.join(map(str, configuration.SEARCH))}): built-in defaults; {counts}")
    return found("config", str(config.source), OK, f"parses: {counts}")


def _database(path: Path) -> dict:
    try:
        check_files(path, create=True)  # stat only: touches nothing
        if not path.exists():
            return found("database", str(path), OK, "not there yet: `modemd run` creates it "
                         "(the folder is writable)")
        with path.open("rb") as file:  # no SQLite connection here: no locks to lose
            header = file.read(len(SQLITE_HEADER))
    except (StoreError, OSError) as error:
        return found("database", str(path), ERROR, str(error))
    if header and header != SQLITE_HEADER:
        return found("database", str(path), ERROR, "is not a SQLite database: point "
                     "`database` (or --db) at modemd's database, or move this file aside")
    used = " (in use by a running modemd)" if lock_held(path) else ""
    return found("database", str(path), OK, f"exists and is writable{used}")


def _retention(days: float | None) -> dict:
    if days is None:
        return found("retention", "-", OK, "keeps every message (no retention_days)")
    try:
        retention.cutoff(days)
    except InvalidInputError as error:
        return found("retention", f"{days:g} days", ERROR, str(error))
    return found("retention", f"{days:g} days", OK, "older final messages are pruned hourly")


def _port(modem: configuration.ModemConfig) -> dict:
    port, label = str(modem.port), modem.label
    if "://" in port:
        return found("port", port, SKIPPED, "a pyserial URL: not checked")
    try:
        fd = os.open(port, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    except FileNotFoundError:
        return found("port", port, ERROR, f"no such port ({label}): plug the modem in, or "
                     "fix its port (udev names them under /dev/modemd/by-path/)")
    except PermissionError:
        return found("port", port, ERROR, f"permission denied ({label}): add the user "
                     f"running modemd to group {_group(port)}")
    except OSError as error:
        return found("port", port, ERROR, f"cannot open it ({label}): {error.strerror}: "
                     "is another program holding it (`fuser` names it)?")
    try:
        is_tty = os.isatty(fd)
    finally:
        os.close(fd)
    if not is_tty:
        return found("port", port, ERROR, f"not a serial port ({label}): point port at the "
                     "modem's tty")
    return found("port", port, OK, f"opens ({label}, {os.path.realpath(port)})")


def _group(path: str) -> str:
    with contextlib.suppress(OSError, KeyError):
        return grp.getgrgid(os.stat(path).st_gid).gr_name
    return "of the port"


def _discovered(config: configuration.Config) -> dict[str, list[str]]:
    """Per glob, the ports the daemon would drive now (as its own scan finds them)."""
    taken = [modem.port for modem in config.fixed if modem.port]
    return {pattern: list(scan([pattern], taken)) for pattern in config.discover}


def _matches(paths: list[str]) -> str:
    if not paths:
        return "matches no port now (a modem is driven when it appears)"
    return f"{len(paths)} port(s) now: {', '.join(paths)}"


def _modemmanager(ports: list[str]) -> list[dict]:
    """ModemManager probes modems it does not ignore: a fight over the port."""
    if not _modemmanager_running():
        return [found("modemmanager", "-", OK, "not running")]
    if not ports:
        return [found("modemmanager", "-", OK, "running; no modem port of ours to keep "
                      "from it")]
    return [_ignored(port) for port in ports]


def _ignored(port: str) -> dict:
    properties = _tool("udevadm", "info", "--query=property", f"--name={port}")
    if properties is None:
        return found("modemmanager", port, OK, "not a udev device: ModemManager does "
                     "not probe it")
    if "ID_MM_DEVICE_IGNORE=1" in properties.splitlines():
        return found("modemmanager", port, OK, "ignored by ModemManager")
    return found("modemmanager", port, WARNING, "ModemManager is running and does not "
                 "ignore this port: it may probe and reset the modem. Install "
                 "udev/77-modemd.rules (sets ID_MM_DEVICE_IGNORE=1), or stop it: "
                 "`systemctl disable --now ModemManager`")


def _modemmanager_running() -> bool:
    if _tool("systemctl", "is-active", "ModemManager") is not None:
        return True
    # not under systemd (or systemctl says no): a process may still run by hand
    for comm in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            if comm.read_text().strip() == "ModemManager":
                return True
    return False


def _tool(*argv: str) -> str | None:
    """The tool's stdout if it ran and succeeded; None if missing, failed or hung."""
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TOOL_SECONDS,
                              check=False)
        if done.returncode == 0:
            return done.stdout
    return None
