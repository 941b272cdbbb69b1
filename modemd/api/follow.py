"""Following the event outbox from a desk (api/reach.py), as `modemd watch` does: on a
Local desk the database's own events, read again when a writer nudges (wake.py); on a
Remote one the daemon's event stream, resumed after the last event whenever the
daemon goes away. Front ends that are not a command line (the terminal desk) use it;
the events are the same objects either way."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator

from modemd.api.reach import Local, Remote
from modemd.api.refusals import ApiError
from modemd.wake import WatchListener, notify_watchers

SAFETY_SECONDS = 3.0  # a re-read even without a nudge: a lost one costs at most this
RECONNECT_SECONDS = 1.0


def follow(desk: Local | Remote, after: int | None, *, stop: threading.Event | None = None,
           away: Callable[[str | None], None] | None = None,
           ready: Callable[[], None] | None = None) -> Iterator[dict]:
    """Event objects after event `after` (None: only new ones), until stop is set (see
    halt()). away(why) is told when a Remote desk's daemon cannot be reached, and
    away(None) once it is back. ready() is called once following has begun (Local: its
    starting point is read) and at each reconnection (Remote): what a front end read
    before then, it reads again, so no change falls between its view and the events."""
    stop = stop or threading.Event()
    ready = ready or (lambda: None)
    if isinstance(desk, Local):
        yield from _local(desk, after, stop, ready)
    else:
        yield from _remote(desk, after, stop, away or (lambda why: None), ready)


def halt(desk: Local | Remote, stop: threading.Event) -> None:
    """End a follow() from another thread at once: a Local one's listener is nudged, a
    Remote one's stream is closed under it."""
    stop.set()
    if isinstance(desk, Local):
        notify_watchers(desk.config.database)
    else:
        desk.client.close_streams()


def _local(desk: Local, after: int | None, stop: threading.Event,
           ready: Callable[[], None]) -> Iterator[dict]:
    store = desk.store
    listener = WatchListener(desk.config.database)  # bound before the starting point is read
    try:
        last = store.events.last_id() if after is None else after
        ready()
        while not stop.is_set():
            batch = store.events.after(last)
            for event in batch:
                yield event
                last = event["event_id"]
            if not batch:  # read until nothing is new; a nudge sent meanwhile is queued
                listener.wait(SAFETY_SECONDS)
    finally:
        listener.close()


def _remote(desk: Remote, after: int | None, stop: threading.Event,
            away: Callable[[str | None], None], ready: Callable[[], None]) -> Iterator[dict]:
    """The daemon's stream again and again, after the last event seen: when none was
    seen yet, after where the first stream began (its first line says), so an outage
    before the first event loses nothing either."""
    last, gone = after, False

    def started(event_id: int) -> None:
        nonlocal last, gone
        last = event_id if last is None else last
        if gone:
            away(None)
            gone = False
        ready()

    while not stop.is_set():
        why = "the daemon ended the event stream"
        try:
            for event in desk.client.events(last, started):
                if stop.is_set():
                    return
                yield event
                last = event["event_id"]
        except (OSError, http.client.HTTPException) as error:  # ConnectionError among them
            why = str(error)
        except ApiError as error:
            if error.status != 503:  # stopping, or the database busy: try again
                raise
            why = str(error)
        if not gone and not stop.is_set():
            away(why)
            gone = True
        stop.wait(RECONNECT_SECONDS)
