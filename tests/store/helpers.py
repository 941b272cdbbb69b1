"""Building real PDUs with the codec, and driving the outbox like a sender would."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from modemd.sms import Deliver, StatusReport, decode_from_sc, deliver_user_data, encode_deliver
from modemd.sms import encode_status_report as _encode_status_report
from modemd.store import LineIdentity, Store, chooser, prepare

SCTS = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
CUSTOMER = "+12015550123"
OTHER = "+12015550124"


def add_line(store: Store, n: int, *, state: str = "ok", own_number: str | None = "auto",
             name: str | None = None, port: str | None = None) -> int:
    """Line n: ICCID 8901000…n, IMSI 31000…n, IMEI 35000…n, number +1555100000n."""
    number = f"+1555100000{n}" if own_number == "auto" else own_number
    identity = LineIdentity(iccid=f"890100000000000000{n}", imsi=f"31000000000000{n}",
                            imei=f"35000000000000{n}", own_number=number)
    line_id = store.lines.register(identity, name=name, port=port or f"/dev/ttyUSB{n}")
    store.lines.set_state(line_id, state)
    return line_id


def queue(store: Store, text: str = "hello", to: str = CUSTOMER, *, operator: str = "alice",
          line: int | None = None) -> int:
    return store.outbox.enqueue(prepare(to, text, operator=operator, requested_line=line))


def status(store: Store, message_id: int) -> str:
    row = store.database.one("SELECT status FROM messages WHERE id = ?", (message_id,))
    assert row is not None
    return row["status"]


def message_row(store: Store, message_id: int) -> dict:
    row = store.database.one("SELECT * FROM messages WHERE id = ?", (message_id,))
    assert row is not None
    return row


def parts(store: Store, message_id: int) -> list[dict]:
    return store.database.query(
        "SELECT * FROM outbound_parts WHERE message_id = ? ORDER BY seq", (message_id,))


def claim(store: Store, line_id: int, healthy: list[int] | None = None):
    return store.outbox.claim(line_id, chooser(healthy if healthy is not None else [line_id]))


def send(store: Store, line_id: int, *, mr: int = 1, healthy: list[int] | None = None) -> int:
    """Claim the next message for line_id and send every part (MRs mr, mr+1, ...)."""
    claimed = claim(store, line_id, healthy)
    assert claimed is not None, "nothing to claim"
    for offset, part in enumerate(claimed.parts):
        store.outbox.part_sending(part.id, line_id)
        store.outbox.part_sent(claimed.message_id, part.id, (mr + offset) % 256,
                              attempt=offset == 0)
    return claimed.message_id


def delivers(originator: str, text: str, *, reference: int | None = None, wide: bool = False,
             timestamp: datetime = SCTS) -> list[tuple[str, Deliver]]:
    """SMS-DELIVER PDUs for text (one per part) and what the codec decodes from them."""
    user_data = deliver_user_data(text, reference=reference, wide_reference=wide,
                                  rng=random.Random(1))
    out = []
    for ud in user_data:
        pdu = encode_deliver(originator, ud, timestamp=timestamp).pdu
        decoded = decode_from_sc(pdu)
        assert isinstance(decoded, Deliver), decoded
        out.append((pdu, decoded))
    return out


def status_report(mr: int, recipient: str = CUSTOMER, *, status: int = 0x00,
                  discharged_after: timedelta = timedelta(seconds=3)) -> tuple[str, StatusReport]:
    pdu = _encode_status_report(mr, recipient, submitted_at=SCTS,
                                discharged_at=SCTS + discharged_after, status=status).pdu
    decoded = decode_from_sc(pdu)
    assert isinstance(decoded, StatusReport), decoded
    return pdu, decoded
