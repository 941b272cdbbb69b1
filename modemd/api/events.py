"""GET /v1/events: the event outbox as Server-Sent Events, the same events as `modemd
watch --json`. Each is `id: N`, `event: KIND`, `data: JSON`, then a blank line.

It resumes after the Last-Event-ID header (what an EventSource sends when it
reconnects) or ?after=N; without either it starts at new events. Each stream has its
own WatchListener, bound before the starting point is read, so no event can fall
between the two; the writer's nudge wakes it, and a re-read every SAFETY_SECONDS
bounds what a lost nudge costs. A comment line every KEEPALIVE_SECONDS keeps proxies
from closing a quiet stream and finds a client that went away. Each stream holds one
server thread, so at most MAX_STREAMS are open; the server's stop ends them all.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from modemd.api.calls import Answer, Api, Call
from modemd.api.inputs import whole
from modemd.api.refusals import ApiError
from modemd.store import Store, StoreError
from modemd.store.views import line_object  # events stored before it hid the PIN hash
from modemd.wake import WatchListener

if TYPE_CHECKING:
    import falcon

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15.0
SAFETY_SECONDS = 3.0  # as `modemd watch`
MAX_STREAMS = 12  # of the server's 16 threads: the rest keep answering requests
RETRY_MS = 3000  # how soon an EventSource reconnects


class Streams:
    """The open streams: bounded in number, and all ended by stop()."""

    def __init__(self, limit: int = MAX_STREAMS) -> None:
        self.limit = limit
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._open: set[WatchListener] = set()

    def open(self, database: Path) -> WatchListener:
        with self._lock:
            if self.stopping.is_set():
                raise ApiError(503, "the daemon is stopping", "reconnect once it runs again")
            if len(self._open) >= self.limit:
                raise ApiError(503, f"{self.limit} event streams are open already, the most "
                               "this daemon serves", "close a stream you no longer read; "
                               "one per integration is enough")
            try:
                listener = WatchListener(database)
            except OSError as error:
                raise ApiError(503, f"cannot follow events: {error}",
                               "the database's folder (or the temporary folder) must be "
                               "writable for the daemon") from error
            self._open.add(listener)
            return listener

    def close(self, listener: WatchListener) -> None:
        with self._lock:
            self._open.discard(listener)
        listener.close()

    def stop(self) -> None:
        """End every stream now: each one's listener is nudged, sees stopping, returns."""
        self.stopping.set()
        with self._lock:
            paths = [listener.path for listener in self._open]
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            for path in paths:
                with contextlib.suppress(OSError):
                    sock.sendto(b"stop", str(path))

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._open)


def stream(api: Api, call: Call) -> Answer:
    streams = api.streams
    if streams is None or call.req is None:  # `modemd watch` reads its own database
        raise RuntimeError("the event stream is served over HTTP only")
    start = _start(call.req, call.query["after"])
    listener = streams.open(api.config.database)  # first: see the module's doc
    try:
        after = api.store.events.last_id() if start is None else start
    except BaseException:
        streams.close(listener)
        raise
    return Answer(stream=EventStream(api.store, streams, listener, after),
                  headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _start(req: falcon.Request, after: int | None) -> int | None:
    """Last-Event-ID wins over ?after: an EventSource reconnects to the URL it began
    with, and the header says how far it got since."""
    header = req.get_header("Last-Event-ID")
    if header is not None and header.strip():
        return whole("Last-Event-ID", header)
    return after


def frame(event: dict) -> bytes:
    shown = {**event, "line": line_object(event.get("line"))}
    data = json.dumps(shown, ensure_ascii=False, default=str)  # one line: \n is escaped
    return f"id: {event['event_id']}\nevent: {event['event']}\ndata: {data}\n\n".encode()


class EventStream:
    """The response body: iterated by the server's thread until the client goes (a write
    fails), the server stops, or the database fails; close() always frees the listener,
    even when iteration never began."""

    def __init__(self, store: Store, streams: Streams, listener: WatchListener,
                 after: int) -> None:
        self.store, self.streams, self.listener, self.after = store, streams, listener, after
        self._frames = self._follow()
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return self._frames

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._frames.close()
            self.streams.close(self.listener)

    def _follow(self) -> Iterator[bytes]:
        yield f": modemd events after {self.after}\nretry: {RETRY_MS}\n\n".encode()
        last, quiet_since = self.after, time.monotonic()
        while not self.streams.stopping.is_set():
            try:
                batch = self.store.events.after(last)
            except StoreError as error:  # the client reconnects with Last-Event-ID
                log.warning("api: event stream ended: %s", error)
                return
            for event in batch:
                yield frame(event)
                last = event["event_id"]
            if batch:  # read until nothing is new; a nudge sent meanwhile is queued
                quiet_since = time.monotonic()
                continue
            quiet = time.monotonic() - quiet_since
            if quiet >= KEEPALIVE_SECONDS:
                yield b": keep-alive\n\n"
                quiet_since, quiet = time.monotonic(), 0.0
            self.listener.wait(min(SAFETY_SECONDS, KEEPALIVE_SECONDS - quiet))


HANDLERS = {"stream_events": stream}
