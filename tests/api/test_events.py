"""GET /v1/events through the real server (cheroot) on its Unix socket: new events as
they are committed, a resume after Last-Event-ID (or ?after) with exactly the events
after it, keep-alive comments, a bound on open streams, and every stream ended by the
server's stop or freed when its client goes."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from modemd.api import events
from modemd.api.server import ApiServer
from modemd.config import Pace
from modemd.desk import people, sending
from modemd.store import Store
from tests.e2e.conftest import wait_for

from .sse import EventStream, error_of
from .support import CUSTOMER, OTHER, lab


@pytest.fixture
def folder() -> Iterator[Path]:
    """Short, as socket addresses must be."""
    path = Path(tempfile.mkdtemp(prefix="mapi-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def store(folder: Path) -> Iterator[Store]:
    opened = Store(folder / "m.db")  # the writer: another program on the same database
    yield opened
    opened.close()


@pytest.fixture
def server(folder: Path, store: Store) -> Iterator[ApiServer]:
    served = ApiServer(lab(folder / "m.db", api_socket=str(folder / "api.sock")))
    served.start()
    yield served
    served.stop()


def send(store: Store, to: str = CUSTOMER, text: str = "hello") -> int:
    return sending.send(store, to, text, operator="alice",
                        options=sending.Options(pace=Pace(enabled=False))).message_id


def test_new_events_arrive_as_they_are_committed_and_not_those_before(
        server: ApiServer, store: Store) -> None:
    send(store, text="before the stream")
    with EventStream(server.path) as stream:
        assert stream.status == 200
        assert stream.response.getheader("Content-Type") == "text/event-stream"
        opening = stream.frame()
        assert opening is not None and opening.fields == {"retry": str(events.RETRY_MS)}
        started = time.monotonic()
        message_id = send(store, OTHER)
        people.add_optout(store, OTHER, "alice", None)
        status, failed, optout = stream.events(3)
        assert time.monotonic() - started < events.SAFETY_SECONDS  # nudged, not polled
    assert (status["event"], status["message"]["id"], status["message"]["status"]) == (
        "status", message_id, "queued")
    assert (failed["event"], failed["message"]["status"]) == ("status", "failed")
    assert (optout["event"], optout["peer"], optout["opted_out"]) == ("optout", OTHER, True)


def test_a_resume_replays_exactly_what_came_after_the_last_event_id(
        server: ApiServer, store: Store) -> None:
    ids = [send(store, text=f"text {n}") for n in range(4)]
    with EventStream(server.path, "?after=0") as stream:
        seen = stream.events(4)
    assert [event["message"]["id"] for event in seen] == ids
    last = seen[1]["event_id"]
    with EventStream(server.path, "?after=0", last_event_id=last) as again:  # header wins
        replayed = again.events(2)
        later = send(store, text="after the reconnect")
        newest, = again.events(1)
    assert replayed == seen[2:]
    assert newest["message"]["id"] == later and newest["event_id"] > seen[-1]["event_id"]


@pytest.mark.parametrize(("query", "header", "error"), [
    ("?after=-1", None, "after '-1' is not a whole number of 0 or more"),
    ("?after=x", None, "after 'x' is not a whole number"),
    ("", "yesterday", "Last-Event-ID 'yesterday' is not a whole number"),
    ("?since=4", None, "unknown parameter 'since' in the query"),
])
def test_a_starting_point_that_is_no_event_id_is_refused(server: ApiServer, query, header,
                                                         error) -> None:
    with EventStream(server.path, query, last_event_id=header) as stream:
        assert stream.status == 400
        assert error_of(stream.response)["error"].startswith(error)
    wait_for("the refused stream's listener freed", lambda: server.streams.count == 0)


def test_a_quiet_stream_gets_keep_alive_comments(server: ApiServer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "KEEPALIVE_SECONDS", 0.2)
    with EventStream(server.path) as stream:
        stream.frame()
        frame = stream.frame()
    assert frame is not None and frame.comments == ["keep-alive"] and not frame.fields


def test_streams_are_bounded_and_a_gone_client_frees_its_place(
        server: ApiServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "KEEPALIVE_SECONDS", 0.2)  # how soon a gone client is seen
    server.streams.limit = 2
    first, second = EventStream(server.path), EventStream(server.path)
    with EventStream(server.path) as third:
        assert third.status == 503
        assert "2 event streams are open already" in error_of(third.response)["error"]
    first.close()
    wait_for("the gone client's stream freed", lambda: server.streams.count == 1)
    with EventStream(server.path) as fourth:
        assert fourth.status == 200
    second.close()


def test_the_servers_stop_ends_open_streams_at_once(folder: Path, store: Store) -> None:
    server = ApiServer(lab(folder / "m.db", api_socket=str(folder / "api.sock")))
    server.start()
    stream = EventStream(server.path)
    stream.frame()
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < events.SAFETY_SECONDS
    assert stream.frame() is None  # the stream ended cleanly: its last chunk came
    assert not server.path.exists()
    stream.close()
