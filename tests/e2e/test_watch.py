"""`modemd watch`, end to end: a real watch process follows the real daemon's events as
the emulated lines receive, send, pause and hear STOP; each event reaches it within
200 ms of its commit (the writer nudges followers; no polling on that path)."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from .conftest import LINE1, LINE2, Desk, modemd_argv, outside, wait_for

LATENCY_LIMIT = 0.2  # seconds from an event's commit (its `at`) to the watcher's line
EVENT_TIMEOUT = 20.0


class Watch:
    """`modemd watch --db DB ARGS` as a process; its stdout lines as they arrive, each
    with the moment the test read it."""

    def __init__(self, db: Path, *args: str) -> None:
        self.db = db
        self.process = subprocess.Popen(modemd_argv("watch", "--db", str(db), *args),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.pending = b""
        self.seen: list[tuple[str, datetime]] = []

    def sockets(self) -> list[Path]:
        """Its listening socket, beside the database or in the temporary folder."""
        pattern = f"*.watch-{self.process.pid}-*"
        return [*self.db.parent.glob(pattern), *Path(tempfile.gettempdir()).glob(pattern)]

    def ready(self) -> Watch:
        """Listening (its socket is bound, and it reads its starting point right after)."""
        wait_for("the watch listening", self.sockets, timeout=EVENT_TIMEOUT)
        time.sleep(0.2)
        return self

    def line(self, timeout: float) -> tuple[str, datetime] | None:
        """The next stdout line and when it was read; None if none came in time."""
        deadline = time.monotonic() + timeout
        stdout = self.process.stdout
        assert stdout is not None
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stdout], [], [], left)[0]:
                return None
            chunk = os.read(stdout.fileno(), 65536)
            if not chunk:
                return None
            self.pending += chunk
        arrived = datetime.now(UTC)
        text, self.pending = self.pending.split(b"\n", 1)
        self.seen.append((text.decode(), arrived))
        return self.seen[-1]

    def until(self, what: str, wanted: Callable[[str], bool],
              timeout: float = EVENT_TIMEOUT) -> tuple[str, datetime]:
        deadline = time.monotonic() + timeout
        while (got := self.line(deadline - time.monotonic())) is not None:
            if wanted(got[0]):
                return got
        raise AssertionError(f"watch: no {what} within {timeout:.0f} s; it printed:\n"
                             + "\n".join(text for text, _ in self.seen))

    def event(self, what: str, wanted: Callable[[dict], bool]) -> tuple[dict, datetime]:
        text, arrived = self.until(what, lambda text: wanted(json.loads(text)))
        return json.loads(text), arrived

    def events(self) -> list[dict]:
        return [json.loads(text) for text, _ in self.seen]

    def stop(self, signum: int = signal.SIGINT) -> None:
        """Ctrl-C (or SIGTERM): exit 0, nothing on stderr, its socket gone."""
        self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("watch ignored the signal") from None
        assert self.process.stderr is not None
        stderr = self.process.stderr.read().decode()
        assert (code, stderr) == (0, ""), (code, stderr)
        assert self.sockets() == [], "its socket stays behind"


@pytest.fixture
def watches() -> list[Watch]:
    """Watches a test started; any still running is killed at the end."""
    started: list[Watch] = []
    yield started
    for watch in started:
        if watch.process.poll() is None:
            watch.process.kill()
            watch.process.wait()


def start(watches: list[Watch], desk: Desk, *args: str) -> Watch:
    watches.append(Watch(desk.cli.db, *args))
    return watches[-1]


def latency(event: dict, arrived: datetime) -> float:
    return (arrived - datetime.fromisoformat(event["at"])).total_seconds()


def is_status(message_id: int, status: str) -> Callable[[dict], bool]:
    return lambda e: (e["event"] == "status" and e["message"]["id"] == message_id
                      and e["message"]["status"] == status)


def test_an_inbound_text_and_the_reply_s_delivery_reach_the_watch_within_200_ms(
        desk: Desk, watches: list[Watch]):
    watch = start(watches, desk, "--json").ready()
    customer = outside(60)
    desk.emulator.inject("line1", customer, "Where is my order?")
    inbound, inbound_arrived = watch.event(
        "the inbound text", lambda e: e["event"] == "inbound" and e["peer"] == customer)
    assert (inbound["message"]["text"], inbound["message"]["line"]) == (
        "Where is my order?", LINE1)
    assert set(inbound) == {"event_id", "event", "at", "message", "line", "peer"}

    answer = desk.cli.run("reply", str(inbound["message"]["id"]), "Arriving today",
                          "--operator", "watch-e2e")
    delivered, delivered_arrived = watch.event("the reply delivered",
                                               is_status(answer["id"], "delivered"))
    statuses = [e["message"]["status"] for e in watch.events()
                if e["event"] == "status" and e["message"]["id"] == answer["id"]]
    assert statuses == ["queued", "sent", "delivered"]
    ids = [e["event_id"] for e in watch.events()]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)

    measured = {"inbound": latency(inbound, inbound_arrived),
                "delivered": latency(delivered, delivered_arrived)}
    print("watch latency from commit:", {k: f"{v * 1000:.1f} ms" for k, v in measured.items()})
    assert all(v <= LATENCY_LIMIT for v in measured.values()), measured
    watch.stop()


def test_a_watch_started_before_the_daemon_shows_its_events_once_it_runs(
        make_desk: Callable[..., Desk], watches: list[Watch]):
    desk = make_desk(start=False)
    watch = start(watches, desk, "--json").ready()  # it makes the database: none yet
    customer = outside(61)
    waiting = desk.cli.send(customer, "Sent while the daemon was stopped", as_process=True)
    queued, _ = watch.event("the queued message", is_status(waiting, "queued"))
    assert queued["message"]["line"] is None

    desk.daemon.start()
    def lines_ok() -> set[str]:
        return {e["line"]["own_number"] for e in watch.events()
                if e["event"] == "line" and e["line"]["state"] == "ok"}

    watch.until("both lines ok", lambda _: {LINE1, LINE2} <= lines_ok())
    if not any(map(is_status(waiting, "delivered"), watch.events())):
        watch.event("the delivery", is_status(waiting, "delivered"))
    watch.stop(signal.SIGTERM)


def test_the_human_form_says_who_what_and_where(desk: Desk, watches: list[Watch]):
    emulator, cli = desk.emulator, desk.cli
    customer = outside(62)
    cli.process("contact", "add", customer, "Alice", as_json=False)
    watch = start(watches, desk).ready()
    emulator.inject("line1", customer, "Where is my order?")
    clock = r"\d\d:\d\d:\d\d"
    watch.until("the inbound line", re.compile(
        rf"{clock}  inbound  \{customer} \(Alice\) on \{LINE1}: Where is my order\?").fullmatch)

    reply = cli.send("Alice", "Arriving today", line=LINE1)
    watch.until("the delivery", re.compile(
        rf"{clock}  status   #{reply} to \{customer} \(Alice\): delivered").fullmatch)

    emulator.call("fault", line="line1", kind="cms", code=330, count=1)  # no SMSC: pauses
    cli.run("send", outside(63), "Your refund is on its way", "--line", LINE1,
            "--operator", "watch-e2e")
    paused, _ = watch.until("line1 paused", re.compile(
        rf"{clock}  line     (\S+ )?\{LINE1}: paused \(.+\)").fullmatch)
    assert "SMSC address unknown" in paused, paused

    emulator.inject("line2", customer, "STOP")
    watch.until("the opt-out", re.compile(
        rf"{clock}  optout   \{customer} \(Alice\): opted out \(STOP\)").fullmatch)
    watch.stop()


def test_a_stop_is_an_inbound_event_then_an_opt_out(desk: Desk, watches: list[Watch]):
    watch = start(watches, desk, "--json").ready()
    customer = outside(64)
    desk.emulator.inject("line2", customer, "Stop")
    optout, _ = watch.event("the opt-out", lambda e: e["event"] == "optout")
    assert (optout["peer"], optout["opted_out"], optout["message"]["keyword"]) == (
        customer, True, "stop")
    [inbound] = [e for e in watch.events() if e["event"] == "inbound"]
    assert inbound["message"]["id"] == optout["message"]["id"]
    assert inbound["event_id"] < optout["event_id"]

    desk.cli.run("optout", "remove", customer, "--operator", "watch-e2e", as_json=False)
    optin, _ = watch.event("the opt-in", lambda e: e["event"] == "optout")
    assert (optin["peer"], optin["opted_out"], optin["message"]) == (customer, False, None)
    watch.stop()


def test_after_replays_what_followed_an_event_then_follows(desk: Desk, watches: list[Watch]):
    first = start(watches, desk, "--json").ready()
    customer = outside(65)
    for n in range(3):
        desk.emulator.inject("line1", customer, f"message {n}")
        first.event(f"message {n}", lambda e, n=n: e["event"] == "inbound"
                    and e["message"]["text"] == f"message {n}")
    first.stop()
    seen = first.events()

    resumed = start(watches, desk, "--json", "--after", str(seen[0]["event_id"])).ready()
    for expected in seen[1:]:
        replayed, _ = resumed.event("a replayed event", lambda e: True)
        assert replayed == expected
    desk.emulator.inject("line1", customer, "message 3")
    resumed.event("message 3", lambda e: e["event"] == "inbound"
                  and e["message"]["text"] == "message 3")
    resumed.stop()
