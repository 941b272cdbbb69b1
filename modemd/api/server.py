"""The API's listeners inside `modemd run`: a Unix socket always (the agent is the
connecting user, from SO_PEERCRED), and TCP when api_listen is set (bearer tokens;
TLS with api_tls_cert and api_tls_key). Started with the daemon, stopped with it.

The socket is mode 0660: the daemon's group (the agents) may connect, nobody else.
Where it is: address.py.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import stat
import threading
from pathlib import Path

from cheroot import wsgi

from modemd.api.address import socket_path
from modemd.api.app import make_app
from modemd.api.events import Streams
from modemd.api.inputs import MAX_BODY
from modemd.config import Config
from modemd.errors import InvalidInputError
from modemd.store import Store

log = logging.getLogger(__name__)

THREADS = 16  # each open event stream holds one (events.MAX_STREAMS of them at most)
SOCKET_MODE = 0o660


class _Server(wsgi.Server):
    """cheroot's server, logging through the daemon's log instead of stderr."""

    def error_log(self, msg: str = "", level: int = logging.INFO,
                  traceback: bool = False) -> None:
        log.log(min(level, logging.WARNING), "api: %s", msg, exc_info=traceback)


class ApiServer:
    """start() binds every listener or refuses (InvalidInputError: the start stops);
    stop() ends the event streams, closes the listeners and removes the socket."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.path = socket_path(config)
        self.streams = Streams()
        self.store: Store | None = None
        self._servers: list[tuple[_Server, threading.Thread]] = []

    @property
    def tcp_port(self) -> int | None:
        """The bound TCP port (api_listen's; the one taken for port 0), or None."""
        tcp = [server for server, _ in self._servers if not isinstance(server.bind_addr, str)]
        return tcp[0].bind_addr[1] if tcp else None

    def start(self) -> None:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        tls = _tls(self.config)  # refused before anything is bound
        self.store = Store(self.config.database)  # its own: the daemon's lock stays its own
        _free(self.path)
        unix = _Server(str(self.path), make_app(self.store, self.config, "unix", self.streams),
                       numthreads=THREADS, max=THREADS, peercreds_enabled=True)
        unix.max_request_body_size = MAX_BODY + 1024  # a backstop; inputs.read answers first
        self._serve(unix, f"unix socket {self.path}")
        os.chmod(self.path, SOCKET_MODE)
        address = self.config.api_address
        if address is not None:
            tcp = _Server(address, make_app(self.store, self.config, "tcp", self.streams),
                          numthreads=THREADS, max=THREADS)
            tcp.ssl_adapter = tls
            tcp.max_request_body_size = MAX_BODY + 1024
            self._serve(tcp, f"{'https' if tls else 'http'}://{address[0]}:{address[1]}")

    def _serve(self, server: _Server, where: str) -> None:
        try:
            server.prepare()  # binds now, so a refusal stops the start
        except OSError as error:
            raise InvalidInputError(_bind_failure(where, self.config, error)) from error
        thread = threading.Thread(target=server.serve, name="api", daemon=True)
        thread.start()
        self._servers.append((server, thread))
        log.info("api: serving on %s", where)

    def stop(self) -> None:
        self.streams.stop()
        for server, thread in reversed(self._servers):
            server.stop()
            thread.join(timeout=10)
        if self._servers:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
        self._servers = []
        if self.store is not None:
            self.store.close()
            self.store = None


def _free(path: Path) -> None:
    """The socket's path ready to bind: a stale socket (its server gone) is removed, a
    live one or anything that is not a socket is refused, never replaced."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise InvalidInputError(f"api_socket {path}: the folder {path.parent} does not "
                                    "exist; create it, or set api_socket elsewhere") from None
        return
    if not stat.S_ISSOCK(mode):
        raise InvalidInputError(f"api_socket {path} exists and is not a socket: modemd will "
                                "not replace it; set api_socket to another path")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            os.unlink(path)  # stale: nobody listens
            return
    raise InvalidInputError(f"api_socket {path}: another process serves there already (a "
                            "modemd on another database?); stop it, or set api_socket to "
                            "another path")


def _tls(config: Config) -> object | None:
    """cheroot's TLS adapter for the TCP listener, or None; unreadable files refused."""
    if config.api_tls_cert is None or config.api_tls_key is None:
        return None
    for key in ("api_tls_cert", "api_tls_key"):
        name = getattr(config, key)
        if not os.access(name, os.R_OK) or not Path(name).is_file():
            raise InvalidInputError(f"{key} = {name!r}: no readable file there; give the "
                                    "path of a PEM file the daemon's user may read")
    from cheroot.ssl.builtin import BuiltinSSLAdapter  # noqa: PLC0415  (only with TLS)

    try:
        return BuiltinSSLAdapter(config.api_tls_cert, config.api_tls_key)
    except (OSError, ValueError) as error:  # ssl.SSLError is an OSError
        raise InvalidInputError(f"api_tls_cert / api_tls_key: cannot load them as a "
                                f"certificate and its key: {error}; give PEM files that "
                                "match") from error


def _bind_failure(where: str, config: Config, error: OSError) -> str:
    text = f"cannot serve the API on {where} ({error})"
    if f"[Errno {errno.EADDRINUSE}]" in str(error) or error.errno == errno.EADDRINUSE:
        return (f"{text}: another program listens there (`ss -ltnp` shows which); stop "
                "it, or set api_listen = \"HOST:PORT\" to a free port")
    if config.api_address is not None and where.startswith("http"):
        return (f"{text}: set api_listen = \"HOST:PORT\" to an address of this machine and a "
                "port modemd may bind (1024 or above unless it runs as root)")
    return f"{text}: set api_socket to a path in a folder the daemon may write"
