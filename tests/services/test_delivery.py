"""Webhooks and hooks from the receiver's side: a real HTTP server on localhost (headers,
body, signature, non-2xx, redirects not followed, timeouts), real hook processes (stdin,
exit codes, timeouts that kill what the hook started), and the deliverer's threads on a
real database: at least once, in order, and a hanging target delays no other."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from modemd.config import Config, Hook, Webhook
from modemd.services.delivery import Deliverer
from modemd.services.receivers import HookReceiver, Refused, WebhookReceiver, signature
from modemd.store import EventKind, Store
from modemd.store.events import record

EVENT = {"event_id": 7, "event": "inbound", "at": "2026-12-04T02:00:00.000000Z",
         "message": None, "line": None, "peer": "+12015550123"}
EVERY = tuple(kind.value for kind in EventKind)


class Receiver(ThreadingHTTPServer):
    """Answers each POST with the next status of `answers` (the last one repeats)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers: list[int] = [200]
        self.requests: list[tuple[dict, bytes]] = []
        self.delay = 0.0
        self.headers_to_send: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, body in self.requests]


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(self.server.delay)
        answers = self.server.answers
        code = answers.pop(0) if len(answers) > 1 else answers[0]
        self.server.requests.append((dict(self.headers), body))
        self.send_response(code)
        for name, value in self.server.headers_to_send.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_signature_is_the_hex_hmac_sha256_of_the_body() -> None:
    assert signature("key", b"The quick brown fox jumps over the lazy dog") == (
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")


def test_a_webhook_posts_the_event_with_its_headers_and_signature(receiver: Receiver) -> None:
    WebhookReceiver(Webhook(url=receiver.url, events=EVERY, secret="s3cret")).deliver(EVENT)
    [(headers, body)] = receiver.requests
    assert json.loads(body) == EVENT
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Modemd-Event"] == "inbound"
    assert headers["X-Modemd-Delivery"] == "7"
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Modemd-Signature"] == f"sha256={expected}"


def test_without_a_secret_there_is_no_signature(receiver: Receiver) -> None:
    WebhookReceiver(Webhook(url=receiver.url, events=EVERY)).deliver(EVENT)
    assert "X-Modemd-Signature" not in receiver.requests[0][0]


def test_only_a_2xx_counts_and_a_redirect_is_not_followed(receiver: Receiver) -> None:
    webhook = WebhookReceiver(Webhook(url=receiver.url, events=EVERY))
    receiver.answers = [503]
    with pytest.raises(Refused, match="HTTP 503"):
        webhook.deliver(EVENT)
    receiver.answers = [302]
    receiver.headers_to_send = {"Location": "http://127.0.0.1:1/elsewhere"}
    moved = re.escape("redirect to http://127.0.0.1:1/elsewhere not followed")
    with pytest.raises(Refused, match=moved):
        webhook.deliver(EVENT)
    assert len(receiver.requests) == 2  # nothing went elsewhere


def test_a_slow_or_absent_receiver_is_a_refusal_not_a_hang(receiver: Receiver) -> None:
    receiver.delay = 2.0
    started = time.monotonic()
    with pytest.raises(Refused, match=r"timeout 0\.3 s|timed out"):
        WebhookReceiver(Webhook(url=receiver.url, events=EVERY), timeout=0.3).deliver(EVENT)
    assert time.monotonic() - started < 1.5
    with pytest.raises(Refused, match=r"cannot reach .*refused"):
        WebhookReceiver(Webhook(url="http://127.0.0.1:1/x", events=EVERY)).deliver(EVENT)


def python_hook(code: str, timeout: float = 10.0) -> HookReceiver:
    return HookReceiver(Hook(command=(sys.executable, "-c", code), events=EVERY,
                             timeout_seconds=timeout))


def test_a_hook_gets_the_event_on_stdin_and_its_name_in_the_environment(
        tmp_path: Path) -> None:
    out = tmp_path / "got.json"
    python_hook("import os, sys, json; d = json.load(sys.stdin); "
                "d['env'] = [os.environ['MODEMD_EVENT'], os.environ['MODEMD_DELIVERY']]; "
                f"open({str(out)!r}, 'w').write(json.dumps(d))").deliver(EVENT)
    assert json.loads(out.read_text()) == {**EVENT, "env": ["inbound", "7"]}


def test_a_hook_that_fails_gives_its_exit_code_and_first_stderr_line() -> None:
    with pytest.raises(Refused, match=r"^exit 3: database is down$"):
        python_hook("import sys; sys.stderr.write('database is down\\nmore\\n'); "
                    "sys.exit(3)").deliver(EVENT)
    with pytest.raises(Refused, match="cannot run /nonexistent/on-sms"):
        HookReceiver(Hook(command=("/nonexistent/on-sms",), events=EVERY)).deliver(EVENT)


def test_a_hanging_hook_is_killed_at_its_timeout_with_what_it_started() -> None:
    hook = HookReceiver(Hook(command=("sh", "-c", "sleep 60; echo late"), events=EVERY,
                             timeout_seconds=0.5))
    started = time.monotonic()
    with pytest.raises(Refused, match=r"timed out after 0.5 s \(timeout_seconds\): killed"):
        hook.deliver(EVENT)
    assert time.monotonic() - started < 3  # the sleep that holds the pipes died too


# ---- the deliverer on a real database ---------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "m.db")
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("modemd.store.deliveries.FIRST_BACKOFF_SECONDS", 0.1)


def inbound(store: Store, peer: str) -> int:
    with store.database.write() as conn:  # nudges the deliverer after the commit
        record(conn, EventKind.INBOUND, peer=peer)
    return store.events.last_id()


def wait_until(what: str, probe, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (value := probe()):
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.02)
    return value


@pytest.fixture
def running(store: Store, receiver: Receiver, request: pytest.FixtureRequest
            ) -> Iterator[Deliverer]:
    hooks = getattr(request, "param", ())
    config = Config(database=Path(store.database.path),
                    webhooks=(Webhook(url=receiver.url, events=("inbound",), secret="k"),),
                    hooks=hooks)
    deliverer = Deliverer(config, store)
    deliverer.start()
    wait_until("the first fan-out", lambda: store.database.one(
        "SELECT COUNT(*) AS n FROM delivery_cursors")["n"] == 1 + len(hooks))
    yield deliverer
    deliverer.stop()


def test_a_receiver_that_refuses_for_a_while_gets_every_event_in_order(
        store: Store, receiver: Receiver, running: Deliverer) -> None:
    receiver.answers = [503, 503, 503, 200]
    sent = [inbound(store, "+12015550123") for _ in range(4)]
    wait_until("four deliveries", lambda: store.deliveries.counts().get(
        ("webhook", "delivered")) == 4)
    got = [body["event_id"] for body in receiver.bodies()]
    assert got == [sent[0]] * 4 + sent[1:]  # the first retried until taken, then the rest
    assert store.deliveries.listing() == []


@pytest.mark.parametrize("running", [(Hook(command=("sleep", "60"), events=EVERY,
                                           timeout_seconds=30),)], indirect=True)
def test_a_hanging_hook_delays_no_webhook(store: Store, receiver: Receiver,
                                          running: Deliverer) -> None:
    started = time.monotonic()
    inbound(store, "+12015550123")
    inbound(store, "+12015550124")
    wait_until("both webhook deliveries", lambda: len(receiver.requests) == 2)
    assert time.monotonic() - started < 3
    pending = store.deliveries.listing()
    assert {row["kind"] for row in pending} == {"hook"}  # the hook is still at its first


# ---- the configuration ------------------------------------------------------------------


def load_toml(tmp_path: Path, text: str) -> Config:
    from modemd import config as configuration  # noqa: PLC0415

    path = tmp_path / "modemd.toml"
    path.write_text(text)
    return configuration.load(str(path))


def test_webhooks_and_hooks_are_read_with_their_defaults(tmp_path: Path) -> None:
    config = load_toml(tmp_path, 'webhook_retry_hours = 2\n[[webhook]]\nurl = "https://a.example/x"\n'
                       '[[hook]]\ncommand = ["/bin/cat", "-"]\nevents = ["line"]\n')
    assert config.webhooks == (Webhook(url="https://a.example/x", events=EVERY),)
    assert config.hooks == (Hook(command=("/bin/cat", "-"), events=("line",)),)
    assert config.hooks[0].timeout_seconds == 10 and config.webhook_retry_hours == 2
    assert config.hooks[0].target == '["/bin/cat", "-"]'


@pytest.mark.parametrize(("table", "said"), [
    ('[[webhook]]\nurl = "ftp://a.example/x"\n', "is not an http(s) URL"),
    ('[[webhook]]\nurl = "https://a.example/x"\nevnts = ["inbound"]\n', "did you mean 'events'"),
    ('[[webhook]]\nurl = "https://a.example/x"\nevents = ["inbound", "sms"]\n',
     "unknown ['sms']; choose from ['inbound', 'status', 'line', 'optout']"),
    ('[[webhook]]\nsecret = "x"\n', "needs url"),
    ('[[hook]]\ncommand = []\n', "non-empty list of strings"),
    ('[[hook]]\ncommand = "/bin/cat"\n', "command = '/bin/cat' has the wrong type"),
    ('[[hook]]\ncommand = ["/bin/cat"]\ntimeout_seconds = 0\n', "must be more than 0"),
    ('webhook_retry_hours = 0\n', "webhook_retry_hours = 0 must be more than 0"),
])
def test_a_bad_webhook_or_hook_is_refused_saying_what_to_fix(
        tmp_path: Path, table: str, said: str) -> None:
    from modemd.errors import InvalidInputError  # noqa: PLC0415

    with pytest.raises(InvalidInputError, match=re.escape(said)):
        load_toml(tmp_path, table)


def test_metrics_count_deliveries_by_target_kind_and_status(
        store: Store, receiver: Receiver, running: Deliverer) -> None:
    from modemd.daemon.metrics import DatabaseCollector  # noqa: PLC0415

    receiver.answers = [200]
    inbound(store, "+12015550123")
    wait_until("delivered", lambda: store.deliveries.counts() == {("webhook", "delivered"): 1})
    family = next(metric for metric in DatabaseCollector(store).collect()
                  if metric.name == "modemd_deliveries")
    samples = {(s.labels["target_kind"], s.labels["status"]): s.value for s in family.samples}
    assert samples == {(kind, status): float(kind == "webhook" and status == "delivered")
                       for kind in ("webhook", "hook")
                       for status in ("pending", "delivered", "failed")}
