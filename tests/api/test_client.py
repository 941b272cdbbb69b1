"""The API's client against a real server on a real socket: answers, refusals as the
daemon worded them, and the event stream with where it starts."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from modemd.api.client import Client
from modemd.api.refusals import ApiError
from modemd.api.server import ApiServer
from modemd.store import Store

from .support import CUSTOMER, OTHER, lab


@pytest.fixture
def served() -> Iterator[tuple[Client, Store]]:
    folder = Path(tempfile.mkdtemp(prefix="mclient-"))
    store = Store(folder / "m.db", create=True)
    server = ApiServer(lab(folder / "m.db", api_socket=str(folder / "api.sock")))
    server.start()
    try:
        yield Client(folder / "api.sock"), store
    finally:
        server.stop()
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_answers_and_refusals(served: tuple[Client, Store]) -> None:
    client, _ = served
    queued = client.call("send_message", body={"to": CUSTOMER, "text": "hi", "line": None})
    assert queued["status"] == "queued" and queued["peer"] == CUSTOMER
    shown = client.call("get_message", params={"id": queued["id"]})
    assert shown["text"] == "hi"
    with pytest.raises(ApiError) as missing:
        client.call("get_message", params={"id": 999})
    assert (missing.value.status, str(missing.value)) == (
        404, "no message 999: see `modemd outbox` / `modemd inbox`")


def test_the_stream_says_where_it_starts_and_replays_from_an_event(
        served: tuple[Client, Store]) -> None:
    client, store = served
    store.optouts.add(CUSTOMER, "alice")  # event 1
    starts: list[int] = []
    stream = client.events(None, starts.append)
    threading.Timer(0.3, store.optouts.add, (OTHER, "alice")).start()  # event 2, once open
    try:
        event = next(stream)
    finally:
        stream.close()
    assert (starts, event["event_id"], event["peer"]) == ([1], 2, OTHER)
    replay = client.events(0)
    try:
        assert [next(replay)["event_id"], next(replay)["event_id"]] == [1, 2]
    finally:
        replay.close()
