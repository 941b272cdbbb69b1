"""A real database file per test; inbound texts built with the real codec, as a modem
would hand them to the store."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from modemd.sms import Deliver, decode_from_sc, deliver_user_data, encode_deliver
from modemd.store import LineIdentity, Store, prepare

CUSTOMER = "+14155550123"
OTHER = "+14155550124"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "desk.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = Store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def line(store: Store) -> int:
    identity = LineIdentity(iccid="89010000000000000011", imsi="310000000000011",
                            imei="350000000000011", own_number="+12015550101")
    line_id = store.lines.register(identity, name="desk-1", port="/dev/ttyUSB0")
    store.lines.set_state(line_id, "ok")
    return line_id


def texted(store: Store, line_id: int, sender: str, text: str, *,
           reference: int | None = None) -> list[int | None]:
    """The customer's text arrives part by part; the message ids the store recorded."""
    user_data = deliver_user_data(text, reference=reference, rng=random.Random(7))
    recorded = []
    for ud in user_data:
        pdu = encode_deliver(sender, ud, timestamp=datetime(2026, 12, 3, 18, tzinfo=UTC)).pdu
        deliver = decode_from_sc(pdu)
        assert isinstance(deliver, Deliver)
        recorded.append(store.inbox.record(line_id, pdu, deliver).message_id)
    return recorded


def queued(store: Store, to: str = CUSTOMER, text: str = "hello") -> int:
    """Queued straight through the store, as a message already waiting when a STOP comes."""
    return store.outbox.enqueue(prepare(to, text, operator="alice"))
