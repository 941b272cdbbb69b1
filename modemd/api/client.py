"""A client of the daemon's API over its Unix socket: what a command uses when it may
not write the database itself. The kernel tells the daemon who connected, so the
answers are this user's as an agent; a refusal is raised as the ApiError the daemon
answered, with its own words."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from modemd.api.openapi import ROUTES, Route
from modemd.api.refusals import ApiError

_BY_OPERATION: dict[str, Route] = {route.operation: route for route in ROUTES}
TIMEOUT_SECONDS = 30.0  # a send waits for the write lock at most 10 s
HINT = "see the daemon's log (journalctl -u modemd)"
STARTS_AFTER = ": modemd events after "  # the stream's first line (api/events.py)


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float | None) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(str(self.socket_path))


class Client:
    """Calls by operation name (the OpenAPI operationId), as api.invoke takes them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._streams: set[http.client.HTTPConnection] = set()
        self._lock = threading.Lock()

    def close_streams(self) -> None:
        """End every events() under way, from any thread: each ends as if the daemon
        had closed it."""
        with self._lock:
            streams = list(self._streams)
        for connection in streams:
            if connection.sock is not None:
                with contextlib.suppress(OSError):
                    connection.sock.shutdown(socket.SHUT_RDWR)

    def call(self, operation: str, *, params: dict[str, Any] | None = None,
             query: dict[str, Any] | None = None, body: dict[str, Any] | None = None,
             timeout: float = TIMEOUT_SECONDS) -> Any:
        """The operation's JSON answer; ApiError for a refusal (4xx, 5xx)."""
        route = _BY_OPERATION[operation]
        connection = _UnixConnection(self.path, timeout)
        try:
            response = self._request(connection, route, params, query, body)
            return _answer(route, response, response.read())
        finally:
            connection.close()

    def events(self, after: int | None,
               started: Callable[[int], None] | None = None) -> Iterator[dict]:
        """The event objects of GET /v1/events from after on (None: new ones), until the
        daemon closes the stream; ConnectionError when it cannot be reached. started:
        told the event_id the stream starts after, as the daemon's first line says (a
        follower that reconnects before any event resumes there)."""
        route = _BY_OPERATION["stream_events"]
        connection = _UnixConnection(self.path, None)  # keepalives come every 15 s
        with self._lock:
            self._streams.add(connection)
        try:
            response = self._request(connection, route, None, {"after": after}, None)
            if response.status >= 400:
                _answer(route, response, response.read())
            yield from _server_sent(response, started)
        finally:
            with self._lock:
                self._streams.discard(connection)
            connection.close()

    def _request(self, connection: http.client.HTTPConnection, route: Route,
                 params: dict[str, Any] | None, query: dict[str, Any] | None,
                 body: dict[str, Any] | None) -> http.client.HTTPResponse:
        target = route.path
        for name, value in (params or {}).items():
            target = target.replace(f"{{{name}}}", quote(str(value), safe=""))
        shown = {k: _text(v) for k, v in (query or {}).items() if v is not None}
        if shown:
            target += "?" + urlencode(shown)
        data = None if route.body is None else json.dumps(
            {k: v for k, v in (body or {}).items() if v is not None}).encode()
        headers = {} if data is None else {"Content-Type": "application/json"}
        try:
            connection.request(route.method, target, body=data, headers=headers)
            return connection.getresponse()
        except (OSError, http.client.HTTPException) as error:
            raise ConnectionError(f"the daemon's API at {self.path} did not answer "
                                  f"{route.method} {route.path}: {error}") from error


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _answer(route: Route, response: http.client.HTTPResponse, raw: bytes) -> Any:
    try:
        answer = json.loads(raw) if raw else None
    except ValueError:
        answer = None
    if response.status < 400 or (response.status == route.also and
                                 not (isinstance(answer, dict) and "error" in answer)):
        return answer  # health's 503 carries its result
    if isinstance(answer, dict) and "error" in answer:
        raise ApiError(response.status, str(answer["error"]), str(answer.get("hint", "")))
    raise ApiError(response.status, f"the daemon's API answered {response.status} "
                   f"{response.reason}", HINT)


def _server_sent(response: http.client.HTTPResponse,
                 started: Callable[[int], None] | None) -> Iterator[dict]:
    """Each event's data, parsed: lines up to a blank one; comments (keepalives)
    skipped, but for the first, which says where the stream starts."""
    data: list[str] = []
    for raw in response:
        line = raw.decode("utf-8").rstrip("\r\n")
        if line.startswith(STARTS_AFTER) and line[len(STARTS_AFTER):].isdigit():
            if started is not None:
                started(int(line[len(STARTS_AFTER):]))
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        elif not line and data:
            yield json.loads("\n".join(data))
            data = []
