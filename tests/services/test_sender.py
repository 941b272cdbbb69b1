"""The sender on a real modem channel: what is committed around each part's PDU."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from modemd.at import AtChannel
from modemd.emulator.rig import Rig
from modemd.emulator.spec import LineSpec
from modemd.errors import ModemdError
from modemd.modem import Modem
from modemd.services import sender
from modemd.services.policy import Action
from modemd.store import LineIdentity, Store, chooser, prepare
from modemd.transport import SerialTransport

from .conftest import CUSTOMER, wait_for


@pytest.fixture
def modem(rig: Rig) -> Iterator[Modem]:
    rig.add_line(LineSpec.numbered(1))
    wait_for("registered", lambda: rig.describe("line1")["registration"] == 1)
    channel = AtChannel(SerialTransport("fakemodem://line1"), name="line1")
    channel.open()
    modem = Modem(channel)
    modem.initialize()
    yield modem
    channel.close()


@pytest.fixture
def line_id(store: Store) -> int:
    return store.lines.register(LineIdentity("8900", "00101", "3500"), name="l", port="p")


def claim(store: Store, line_id: int, text: str):
    store.outbox.enqueue(prepare(CUSTOMER, text, operator="alice"))
    claimed = store.outbox.claim(line_id, chooser([line_id]))
    assert claimed is not None
    return claimed


def parts(store: Store, message_id: int) -> list[dict]:
    return store.database.query("SELECT * FROM outbound_parts WHERE message_id = ? "
                                "ORDER BY seq", (message_id,))


def test_every_part_gets_its_mr_and_the_claim_counts_one_attempt(
        store: Store, modem: Modem, rig: Rig, line_id: int) -> None:
    claimed = claim(store, line_id, "y" * 300)  # two parts
    assert sender.send_claim(store, modem, line_id, claimed, lambda: False) is None
    got = parts(store, claimed.message_id)
    assert [p["mr"] for p in got] == [s["mr"] for s in rig.submitted("line1")]
    assert all(p["status"] == "sent" and p["payload_at"] for p in got)
    row = store.database.one("SELECT status, attempts FROM messages WHERE id = ?",
                             (claimed.message_id,))
    assert row == {"status": "sent", "attempts": 1}


def test_a_commit_that_fails_at_the_prompt_sends_no_pdu_byte(
        store: Store, modem: Modem, rig: Rig, line_id: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """payload_at could not be committed (a full disk, say): ESC, not the PDU."""
    claimed = claim(store, line_id, "hello")

    def refuse(part_id: int) -> None:
        raise ModemdError("the disk is full")

    monkeypatch.setattr(store.outbox, "part_payload", refuse)
    with pytest.raises(ModemdError, match="disk is full"):
        sender.send_claim(store, modem, line_id, claimed, lambda: False)
    assert rig.submitted("line1") == []
    assert any(e["dir"] == "rx" and "\x1b" in e["text"] for e in rig.transcript("line1"))
    assert modem.channel.command("AT") == []  # the channel is back in step
    assert parts(store, claimed.message_id)[0]["payload_at"] is None


def test_a_temporary_refusal_retries_and_counts_once(
        store: Store, modem: Modem, rig: Rig, line_id: int) -> None:
    rig.fault("line1", "cms", code=42, count=1)
    claimed = claim(store, line_id, "hello")
    decision = sender.send_claim(store, modem, line_id, claimed, lambda: False)
    assert decision is not None and decision.action is Action.RETRY
    row = store.database.one("SELECT status, attempts, next_attempt_at FROM messages "
                             "WHERE id = ?", (claimed.message_id,))
    assert (row["status"], row["attempts"]) == ("queued", 1) and row["next_attempt_at"]
    assert parts(store, claimed.message_id)[0]["status"] == "queued"


def test_a_duplicate_answer_counts_as_sent_and_the_rest_follows(
        store: Store, modem: Modem, rig: Rig, line_id: int) -> None:
    rig.fault("line1", "cms", code=197, count=1)
    claimed = claim(store, line_id, "z" * 300)
    assert sender.send_claim(store, modem, line_id, claimed, lambda: False) is None
    got = parts(store, claimed.message_id)
    assert [(p["status"], p["mr"] is None) for p in got] == [("sent", True), ("sent", False)]
    assert len(rig.submitted("line1")) == 1  # part 2; part 1 the SC had already


def test_stopping_before_a_part_releases_the_message(
        store: Store, modem: Modem, line_id: int) -> None:
    claimed = claim(store, line_id, "hello")
    decision = sender.send_claim(store, modem, line_id, claimed, lambda: True)
    assert decision is not None and decision.action is Action.REQUEUE
    row = store.database.one("SELECT status, attempts FROM messages WHERE id = ?",
                             (claimed.message_id,))
    assert row == {"status": "queued", "attempts": 0}
