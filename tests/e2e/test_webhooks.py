"""Webhooks and hooks, end to end: the real daemon delivers the events of real sends and
receives on the emulator. A receiver that refuses (503) and a daemon killed -9 meanwhile
lose nothing: after the restart every event arrives, exactly once after dedupe on
X-Modemd-Delivery, in order per contact, signed. A hanging hook delays no send, no
receive and no other hook; its deliveries end failed with the timeout as the error, and
`modemd hooks retry ID` makes one go."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from modemd.store import Store

from .conftest import LINE1, Desk, outside, wait_for

SECRET = "s3cret"


class Receiver(ThreadingHTTPServer):
    """Answers every POST with `code`; keeps what came (headers, body) in order."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.code = 503
        self.got: list[tuple[dict, bytes]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/modemd"

    def taken(self) -> list[tuple[dict, bytes]]:
        """The requests it answered 2xx, in the order they came."""
        with self.lock:
            return [(headers, body) for headers, body, code in self.got if code < 300]


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        code = self.server.code
        with self.server.lock:
            self.server.got.append((dict(self.headers), body, code))
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def stored_events(db: Path, kinds: set[str]) -> list[dict]:
    store = Store(db, create=False)
    try:
        return [event for event in store.events.after(0, limit=10_000)
                if event["event"] in kinds]
    finally:
        store.close()


def test_a_refusing_receiver_and_a_kill_9_lose_no_event_and_keep_each_contacts_order(
        make_desk: Callable[..., Desk], receiver: Receiver) -> None:
    desk = make_desk(settings={"webhook_retry_hours": 1}, tables=(
        f'[[webhook]]\nurl = "{receiver.url}"\nevents = ["inbound", "status"]\n'
        f'secret = "{SECRET}"\n'))
    emulator, cli = desk.emulator, desk.cli
    sent = [cli.send(outside(1), f"order {n}") for n in (1, 2)]
    emulator.inject("line1", outside(2), "first from 2")
    emulator.inject("line1", outside(2), "second from 2")
    for message in sent:
        cli.wait_status(message, ("sent", "delivered"))
    cli.wait_inbox(2)
    wait_for("the receiver refusing", lambda: len(receiver.got) >= 2)
    desk.daemon.kill()  # -9 while every delivery waits for its retry
    receiver.code = 200
    desk.daemon.start()
    kinds = {"inbound", "status"}

    def both() -> tuple[list[int], list[int]]:
        received = sorted({json.loads(body)["event_id"] for _, body in receiver.taken()})
        return received, [event["event_id"] for event in stored_events(cli.db, kinds)]

    wait_for("every stored event received", both, lambda pair: pair[0] == pair[1]
             and cli.run("hooks") == [], timeout=25)
    events = stored_events(cli.db, kinds)
    assert len(events) >= 6  # queued and sent of each send, and the two inbound
    firsts: dict[int, dict] = {}
    for headers, body in receiver.taken():
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Modemd-Signature"], expected)
        event = json.loads(body)
        assert headers["X-Modemd-Delivery"] == str(event["event_id"])
        assert headers["X-Modemd-Event"] == event["event"]
        firsts.setdefault(event["event_id"], event)
    assert firsts == {event["event_id"]: event for event in events}  # as stored, each once
    for peer in (outside(1), outside(2)):
        ids = [event_id for event_id, event in firsts.items() if event["peer"] == peer]
        assert ids == sorted(ids), f"{peer}'s events out of order: {ids}"


def test_a_hanging_hook_delays_nothing_and_a_failed_delivery_goes_on_retry(
        make_desk: Callable[..., Desk], tmp_path: Path) -> None:
    flag, out = tmp_path / "hook-fixed", tmp_path / "hook-got.jsonl"
    script = f"test -e {flag} && cat >> {out} || exec sleep 60"
    desk = make_desk(settings={"webhook_retry_hours": 0.0005}, tables=(  # 1.8 s
        '[[hook]]\ncommand = ["sleep", "60"]\nevents = ["inbound"]\ntimeout_seconds = 30\n'
        f'[[hook]]\ncommand = ["sh", "-c", "{script}"]\nevents = ["inbound"]\n'
        'timeout_seconds = 1\n'))
    emulator, cli = desk.emulator, desk.cli
    emulator.inject("line1", outside(2), "the hooks hang on this one")
    cli.wait_inbox(1)
    message = cli.send(outside(1), "still going out")
    cli.wait_status(message, ("sent", "delivered"), timeout=10)
    emulator.inject("line1", outside(3), "and this one is recorded")
    cli.wait_inbox(2, timeout=10)
    failed = wait_for("the sh hook's deliveries failed", lambda: [
        row for row in cli.run("hooks") if row["status"] == "failed"],
        lambda rows: len(rows) == 2, timeout=15)
    assert {row["target"] for row in failed} == {json.dumps(["sh", "-c", script])}
    for row in failed:
        assert row["last_error"] == "timed out after 1 s (timeout_seconds): killed"
        assert row["attempts"] >= 1 and row["event"] == "inbound"
    sleeping = [row for row in cli.run("hooks") if row["target"] == '["sleep", "60"]']
    assert [(row["status"], row["attempts"]) for row in sleeping][:1] == [("pending", 0)]
    listed = cli.run("hooks", as_json=False)
    assert f"sh -c '{script}'" in listed and "timed out after 1 s" in listed
    first = min(failed, key=lambda row: row["event_id"])
    flag.touch()
    said = cli.run("hooks", "retry", str(first["id"]), "--operator", "alice", as_json=False)
    assert f"delivery {first['id']}" in said and "was failed" in said
    got = wait_for("the retried delivery", lambda: out.exists() and out.read_text())
    assert json.loads(got)["event_id"] == first["event_id"]
    assert LINE1 in got  # the event object names the line it came in on
    assert first["id"] not in [row["id"] for row in cli.run("hooks")]
    audit = cli.run("audit")
    assert any(entry["operator"] == "alice" and f"delivery {first['id']}" in entry["detail"]
               for entry in audit)
