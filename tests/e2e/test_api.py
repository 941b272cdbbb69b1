"""The HTTP API end to end: the real daemon serving its Unix socket, the emulated lines,
http.client as the integration. A send is delivered and reads back; a refused one says
what the CLI says and queues nothing; a reply leaves from the inbound's line; claims,
cancel, conversations, lines, health and the OpenAPI document; the event stream gets
an inbound and a delivery, resumes after Last-Event-ID with exactly what followed, and
SIGTERM with a stream open still stops the daemon with exit 0."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from modemd.api.openapi import document
from modemd.api.server import socket_path
from modemd.cli import main
from modemd.config import Config
from tests.api.peer import Answer, unix
from tests.api.sse import EventStream

from .conftest import LINE2, Desk, outside, wait_for

AGENT = "root"  # the test's user, as the kernel tells the server
NEXT_YEAR = f"{date.today().year + 1}-01-01T09:00:00Z"


def served(desk: Desk) -> Path:
    """The API's socket once the daemon serves it: by default beside the database (in
    the temporary folder if that path is too long for a socket, as tests/api checks)."""
    path = socket_path(Config(database=desk.cli.db))
    wait_for("the API socket", lambda: path.is_socket() and unix(path, "GET", "/v1/lines"))
    return path


def until(path: Path, route: str, done: Callable[[Answer], bool]) -> Answer:
    return wait_for(f"GET {route}", lambda: unix(path, "GET", route), done)


def test_the_desk_over_the_unix_socket(desk: Desk) -> None:
    api = served(desk)
    assert unix(api, "GET", "/v1/openapi.json").body == document()
    sent = unix(api, "POST", "/v1/messages", {"to": outside(1), "text": "Your parcel left"})
    assert sent.status == 201 and sent.body["status"] == "queued"
    assert sent.headers["location"] == f"/v1/messages/{sent.body['id']}"
    delivered = until(api, sent.headers["location"], lambda a: a.body["status"] == "delivered")
    assert delivered.body["operator"] == AGENT and delivered.body["part_list"]

    desk.emulator.inject("line2", outside(2), "Where is my order?")
    inbound, = until(api, "/v1/messages?direction=in", lambda a: len(a.body) == 1).body
    reply = unix(api, "POST", f"/v1/messages/{inbound['id']}/reply", {"text": "On its way"})
    assert reply.status == 201 and reply.body["peer"] == outside(2)
    answered = until(api, f"/v1/messages/{reply.body['id']}",
                     lambda a: a.body["status"] == "delivered")
    assert answered.body["line"] == LINE2 == inbound["line"]

    later = unix(api, "POST", "/v1/messages", {"to": outside(3), "text": "Reminder",
                                               "at": NEXT_YEAR})
    assert later.status == 201 and later.body["status"] == "scheduled"
    cancelled = unix(api, "POST", f"/v1/messages/{later.body['id']}/cancel")
    assert cancelled.status == 200 and cancelled.body["status"] == "cancelled"

    claimed = unix(api, "POST", f"/v1/conversations/%2B{outside(2)[1:]}/claim")
    assert claimed.status == 200 and claimed.body["claimed_by"] == AGENT
    rows = {row["peer"]: row for row in unix(api, "GET", "/v1/conversations").body}
    assert rows[outside(2)]["claimed_by"] == AGENT and rows[outside(3)]["last_status"] == \
        "cancelled"
    lines = unix(api, "GET", "/v1/lines").body
    assert [line["state"] for line in lines["lines"]] == ["ok", "ok"]
    assert lines["daemon"]["state"] == "running"
    health = until(api, "/v1/health", lambda a: a.status == 200)
    assert health.body["state"] == "OK"


def test_a_refused_send_says_what_the_cli_says_and_nothing_goes_out(desk: Desk) -> None:
    api = served(desk)
    desk.cli.run("optout", "add", outside(4), as_json=False)
    refused = unix(api, "POST", "/v1/messages", {"to": outside(4), "text": "Deal of the day"})
    done = CliRunner().invoke(main, ["send", outside(4), "Deal of the day", "--db",
                                     str(desk.cli.db)])
    assert refused.status == 400 and done.exit_code == 1
    assert f"Error: {refused.body['error']}" == done.stderr.strip()
    assert "nothing queued" in refused.body["error"] and refused.body["hint"]
    assert desk.cli.outbox() == []
    assert desk.emulator.submitted_texts("line1", "line2")["Deal of the day"] == 0


def test_a_port_in_use_refuses_the_start_with_exit_1_saying_so(
        make_desk: Callable[..., Desk], tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        desk = make_desk(start=False, settings={"api_listen": f"127.0.0.1:{port}"})
        assert desk.daemon.start().process.wait(timeout=30) == 1
    said = desk.daemon.log.read_text()
    assert f"cannot serve the API on http://127.0.0.1:{port}" in said
    assert "another program listens there" in said and "Traceback" not in said
    assert not socket_path(Config(database=desk.cli.db)).exists()


@pytest.fixture
def socket_in_folder(make_desk: Callable[..., Desk], tmp_path: Path) -> tuple[Desk, Path]:
    path = tmp_path / "api.sock"
    desk = make_desk(settings={"api_socket": str(path)})
    wait_for("the API socket", lambda: path.is_socket() and unix(path, "GET", "/v1/lines"))
    return desk, path


def test_events_stream_resume_after_last_event_id_and_a_clean_sigterm(
        socket_in_folder: tuple[Desk, Path]) -> None:
    desk, api = socket_in_folder
    with EventStream(api) as stream:
        assert stream.status == 200
        desk.emulator.inject("line1", outside(5), "Is the shop open on Sunday?")
        sent = unix(api, "POST", "/v1/messages", {"to": outside(6), "text": "Yes, 10 to 4"})
        seen = []
        while not any(e["event"] == "status" and e["message"]["status"] == "delivered"
                      for e in seen):
            seen += stream.events(1)
    inbound = next(e for e in seen if e["event"] == "inbound")
    assert inbound["message"]["text"] == "Is the shop open on Sunday?"
    assert [e["message"]["status"] for e in seen if e["event"] == "status"
            and e["message"]["id"] == sent.body["id"]] == ["queued", "sent", "delivered"]

    first = seen[0]["event_id"]
    with EventStream(api, last_event_id=first) as again:
        assert again.events(len(seen) - 1) == seen[1:]  # exactly what followed, in order
        open_stream = EventStream(api, query=f"?after={seen[-1]['event_id']}")
        assert open_stream.frame() is not None  # connected, and waiting for news
        assert desk.daemon.terminate() == 0  # with two streams open
        last = [frame.event for frame in iter(open_stream.frame, None)  # ended, cleanly
                if frame.event is not None]
        open_stream.close()
    assert {(e["event"], e["line"]["state"]) for e in last} == {("line", "stopped")}
