"""Receiving commits once per received PDU, between reading it and deleting it.

The receiver runs against an emulated modem (the in-process URL handler, through the
real transport, AT channel and Modem) and a real database file. A journal records, in
order, every AT command the receiver sends and every commit on the store's
connection (a COMMIT, or a write outside a transaction, which SQLite commits by
itself), so each test asserts the whole sequence: a second commit, a delete before
the commit, or a command more shows up as a difference.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from modemd.at import AtChannel
from modemd.emulator.rig import Rig
from modemd.emulator.spec import LineSpec
from modemd.modem import Direct, Modem, Stored, interpret
from modemd.services import receiver, sender
from modemd.store import LineIdentity, Store, chooser, prepare
from modemd.transport import SerialTransport

CUSTOMER = "+12015550123"
OUTSIDE = "+12015553000"  # no emulated line: the network reports on messages to it
# Three GSM-7 parts.
LONG = "".join(f"{n:03d} the quick brown fox jumps over the lazy dog. " for n in range(8))
COMMIT = "COMMIT"
WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})


class Journal:
    """AT commands and commits, in the order they happened."""

    def __init__(self, store: Store, channel: AtChannel,
                 monkeypatch: pytest.MonkeyPatch) -> None:
        self.entries: list[str] = []
        conn = store.database.db.conn

        def traced(sql: str) -> None:
            verb = sql.split(None, 1)[0].upper() if sql.strip() else ""
            if verb in ("COMMIT", "END") or (verb in WRITES and not conn.in_transaction):
                self.entries.append(COMMIT)

        conn.set_trace_callback(traced)
        sent = channel.command

        def command(text: str, **options: object) -> list[str]:
            self.entries.append(text)
            return sent(text, **options)  # type: ignore[arg-type]

        monkeypatch.setattr(channel, "command", command)

    def take(self) -> list[str]:
        taken, self.entries = self.entries, []
        return taken


class Line:
    """One emulated line behind our driver, initialised, its URCs turned into events."""

    def __init__(self, rig: Rig, spec: LineSpec) -> None:
        rig.add_line(spec)
        self.name = spec.name
        self.events: queue.Queue[object] = queue.Queue()
        self.channel = AtChannel(SerialTransport(f"fakemodem://{spec.name}"), name=spec.name,
                                 on_urc=lambda urc: self.events.put(interpret(urc)))
        self.channel.open()
        self.modem = Modem(self.channel)
        deadline = time.monotonic() + 5
        while rig.describe(spec.name)["registration"] != 1:
            assert time.monotonic() < deadline, f"{spec.name} never registered"
            time.sleep(0.01)
        self.modem.initialize()

    def next(self, kind: type, timeout: float = 5.0) -> object:
        deadline = time.monotonic() + timeout
        while True:
            event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if isinstance(event, kind):
                return event


@pytest.fixture
def line(rig: Rig) -> Iterator[Line]:
    made = Line(rig, LineSpec.numbered(1))
    yield made
    made.channel.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "m.db")
    yield opened
    opened.close()


@pytest.fixture
def line_id(store: Store) -> int:
    return store.lines.register(
        LineIdentity("8901000000000000001", "310000000000001", "350000000000001",
                     "+15551000001"), name="line1", port="fakemodem://line1")


@pytest.fixture
def journal(store: Store, line: Line, monkeypatch: pytest.MonkeyPatch) -> Journal:
    return Journal(store, line.channel, monkeypatch)


def inbound(store: Store) -> list[dict]:
    return store.database.query(
        "SELECT text, status, parts, parts_received FROM messages WHERE direction = 'in' "
        "ORDER BY id")


def stored_count(rig: Rig) -> int:
    return sum(len(slots) for slots in rig.storage("line1").values())


def take_next(store: Store, line: Line, line_id: int) -> Stored:
    event = line.next(Stored)
    assert isinstance(event, Stored)
    receiver.take_stored(store, line.modem, line_id, event)
    return event


def test_a_single_part_message_is_read_committed_once_then_deleted(
        rig: Rig, line: Line, store: Store, line_id: int, journal: Journal) -> None:
    rig.inject("line1", CUSTOMER, "Is my order shipped?")
    event = take_next(store, line, line_id)
    assert journal.take() == ['AT+CPMS="SM"', f"AT+CMGR={event.index}", COMMIT,
                              f"AT+CMGD={event.index}"]
    assert inbound(store) == [{"text": "Is my order shipped?", "status": "received",
                               "parts": 1, "parts_received": 1}]
    assert stored_count(rig) == 0


def test_the_memory_is_selected_once_per_session_not_once_per_message(
        rig: Rig, line: Line, store: Store, line_id: int, journal: Journal) -> None:
    for n in range(3):
        rig.inject("line1", CUSTOMER, f"message {n}")
        take_next(store, line, line_id)
    commands = [entry for entry in journal.take() if entry != COMMIT]
    assert [c for c in commands if c.startswith("AT+CPMS")] == ['AT+CPMS="SM"']
    assert len(commands) == 7  # the CPMS, then a CMGR and a CMGD per message
    assert [m["text"] for m in inbound(store)] == ["message 0", "message 1", "message 2"]


def test_each_part_of_a_long_message_is_one_commit_and_the_last_completes_it(
        rig: Rig, line: Line, store: Store, line_id: int, journal: Journal) -> None:
    assert rig.inject("line1", CUSTOMER, LONG, shuffle=True)["parts"] == 3
    for position in range(3):
        event = take_next(store, line, line_id)
        steps = journal.take()
        assert steps[-3:] == [f"AT+CMGR={event.index}", COMMIT, f"AT+CMGD={event.index}"]
        assert steps.count(COMMIT) == 1
        assert len(inbound(store)) == (1 if position == 2 else 0)
    assert inbound(store) == [{"text": LONG, "status": "received", "parts": 3,
                               "parts_received": 3}]
    assert stored_count(rig) == 0


def test_a_duplicate_part_is_one_commit_that_adds_nothing_and_is_deleted(
        rig: Rig, line: Line, store: Store, line_id: int, journal: Journal) -> None:
    rig.inject("line1", CUSTOMER, LONG, parts=[1, 1, 2, 3])  # part 1 retransmitted
    for _ in range(4):
        event = take_next(store, line, line_id)
        steps = journal.take()
        assert steps[-3:] == [f"AT+CMGR={event.index}", COMMIT, f"AT+CMGD={event.index}"]
        assert steps.count(COMMIT) == 1
    assert inbound(store) == [{"text": LONG, "status": "received", "parts": 3,
                               "parts_received": 3}]
    assert len(store.database.query("SELECT id FROM inbound_parts")) == 3
    assert stored_count(rig) == 0


def send_to_outside(store: Store, line: Line, line_id: int, text: str) -> int:
    """Queue, claim and send one message the network will report on."""
    message_id = store.outbox.enqueue(prepare(OUTSIDE, text, operator="amy"))
    claim = store.outbox.claim(line_id, chooser([line_id], line_id))
    assert claim is not None and claim.message_id == message_id
    assert sender.send_claim(store, line.modem, line_id, claim, lambda: False) is None
    return message_id


def status(store: Store, message_id: int) -> str:
    row = store.database.one("SELECT status FROM messages WHERE id = ?", (message_id,))
    assert row is not None
    return row["status"]


def test_a_stored_status_report_is_one_commit_that_matches_and_rolls_up(
        rig: Rig, line: Line, store: Store, line_id: int, journal: Journal) -> None:
    message_id = send_to_outside(store, line, line_id, "your parcel left")
    journal.take()
    event = take_next(store, line, line_id)
    assert event.report and event.memory == "SR"
    assert journal.take() == ['AT+CPMS="SR"', f"AT+CMGR={event.index}", COMMIT,
                              f"AT+CMGD={event.index}"]
    assert status(store, message_id) == "delivered"
    rig.inject("line1", CUSTOMER, "thanks")  # back to SM: selected again
    event = take_next(store, line, line_id)
    assert journal.take() == ['AT+CPMS="SM"', f"AT+CMGR={event.index}", COMMIT,
                              f"AT+CMGD={event.index}"]
    assert stored_count(rig) == 0


def test_direct_messages_and_reports_are_one_commit_each_and_no_command(
        rig: Rig, line: Line, store: Store, line_id: int, journal: Journal) -> None:
    line.channel.command("AT+CNMI=2,2,0,1,0")  # +CMT and +CDS: the PDU in the URC
    message_id = send_to_outside(store, line, line_id, "direct report please")
    rig.inject("line1", CUSTOMER, LONG)
    journal.take()
    for _ in range(4):  # the report and three parts, in whatever order they come
        event = line.next(Direct)
        assert isinstance(event, Direct)
        receiver.take_direct(store, line_id, event)
        assert journal.take() == [COMMIT]
    assert status(store, message_id) == "delivered"
    assert [m["text"] for m in inbound(store)] == [LONG]


def test_a_sweep_commits_each_message_once_before_deleting_it(
        rig: Rig, line: Line, store: Store, line_id: int, journal: Journal) -> None:
    send_to_outside(store, line, line_id, "report lands in SR")
    rig.inject("line1", CUSTOMER, "waiting one")
    rig.inject("line1", CUSTOMER, "waiting two")
    rig.inject_pdu("line1", "00DEADBEEF")  # undecodable: quarantined, then deleted
    deadline = time.monotonic() + 5
    while stored_count(rig) < 4:
        assert time.monotonic() < deadline, rig.storage("line1")
        time.sleep(0.01)
    journal.take()
    assert receiver.sweep(store, line.modem, line_id) == 4
    steps = journal.take()
    taking = steps[next(i for i, s in enumerate(steps) if s == COMMIT):]
    deletes = [s for s in taking if s.startswith("AT+CMGD")]
    assert len(deletes) == 4 and taking.count(COMMIT) == 4
    for position, step in enumerate(taking):
        if step.startswith("AT+CMGD"):
            assert taking[position - 1] == COMMIT, taking
    assert sorted(m["text"] for m in inbound(store)) == ["waiting one", "waiting two"]
    assert len(store.database.query("SELECT id FROM quarantine")) == 1
    assert stored_count(rig) == 0
