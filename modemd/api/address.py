"""Where the API's Unix socket is, for the daemon that serves it and for the commands
that call it.

The daemon serves at api_socket when it is set; else in the runtime directory systemd
gives the service ($RUNTIME_DIRECTORY: /run/modemd on the appliance); else beside the
database (DB.api.sock); else, when that path is too long for a socket address, in the
temporary folder. A command has no $RUNTIME_DIRECTORY of the daemon's, so it looks in
each of those places and takes the first socket there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from modemd.config import Config
from modemd.errors import InvalidInputError
from modemd.wake import MAX_SOCKET_PATH, beside

APPLIANCE_RUNTIME = Path("/run/modemd")  # RuntimeDirectory=modemd of systemd/modemd.service


def socket_path(config: Config) -> Path:
    """Where the daemon serves the API (see the module's doc)."""
    if config.api_socket is not None:
        return configured(config.api_socket)
    runtime = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
    if runtime:
        return Path(runtime) / "api.sock"
    return beside(config.database, ".api.sock")


def configured(api_socket: str) -> Path:
    path = Path(api_socket).expanduser()
    if not api_socket or len(str(path.absolute())) >= MAX_SOCKET_PATH:
        raise InvalidInputError(f"api_socket = {api_socket!r}: give a path shorter than "
                                f"{MAX_SOCKET_PATH} characters (a socket address is at most "
                                "108 bytes), e.g. \"/run/modemd/api.sock\"")
    return path


def candidates(config: Config) -> list[Path]:
    """The places a command looks for the daemon's socket, in order."""
    if config.api_socket is not None:
        return [configured(config.api_socket)]
    runtime = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
    places = [Path(runtime) / "api.sock"] * bool(runtime)
    return [*places, APPLIANCE_RUNTIME / "api.sock", beside(config.database, ".api.sock")]


def found(config: Config) -> tuple[Path | None, str]:
    """The first of candidates() that is a socket; else None, and why there is none: none
    there, or one this user may not even look at."""
    denied: list[Path] = []
    for path in candidates(config):
        try:
            if stat.S_ISSOCK(path.stat().st_mode):
                return path, ""
        except PermissionError:
            denied.append(path)
        except OSError:
            continue
    if denied:
        return None, out_of_reach(denied[0])
    return None, "no socket at " + " or ".join(map(str, candidates(config)))


def out_of_reach(path: Path) -> str:
    return (f"{path} is out of this user's reach (permission denied): an agent must be in "
            "the daemon's group (usermod -aG modemd USER, then log in again)")
