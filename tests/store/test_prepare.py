"""prepare(): a checked E.164 number and encoded parts, or a refusal that queues nothing."""

from __future__ import annotations

import pytest

from modemd.errors import InvalidInputError
from modemd.sms import Submit, decode_from_ms
from modemd.store import Store, prepare
from modemd.store.enqueue import MAX_PARTS

from .helpers import CUSTOMER


def submits(pdus) -> list[Submit]:
    decoded = [decode_from_ms(p.pdu) for p in pdus]
    assert all(isinstance(d, Submit) for d in decoded), decoded
    return decoded


@pytest.mark.parametrize("given", ["+1 201-555-0123", "+1 (201) 555 0123", " +12015550123 "])
def test_numbers_are_normalised_to_e164(given: str) -> None:
    assert prepare(given, "hi", operator="alice").peer == CUSTOMER


def test_a_number_without_plus_needs_a_default_region() -> None:
    with pytest.raises(InvalidInputError, match="country code") as caught:
        prepare("2015550123", "hi", operator="alice")
    assert "default_region" in str(caught.value)  # says what to do


def test_a_default_region_completes_a_national_number() -> None:
    message = prepare("(201) 555-0123", "hi", operator="alice", default_region="US")
    assert message.peer == CUSTOMER


@pytest.mark.parametrize("bad", ["+1555", "+12015550123999", "+999123456", "+1 555 765 4321",
                                 "hello", "+"])
def test_invalid_numbers_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="number"):
        prepare(bad, "hi", operator="alice")


def test_empty_text_is_rejected() -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        prepare(CUSTOMER, "", operator="alice")


def test_more_than_ten_parts_is_rejected_with_what_to_do() -> None:
    prepare(CUSTOMER, "a" * 153 * MAX_PARTS, operator="alice")  # exactly 10: fine
    with pytest.raises(InvalidInputError, match=r"11 SMS parts.*shorten"):
        prepare(CUSTOMER, "a" * (153 * MAX_PARTS + 1), operator="alice")


@pytest.mark.parametrize(("text", "encoding", "count"), [
    ("hello", "gsm7", 1),
    ("a" * 160, "gsm7", 1),
    ("a" * 161, "gsm7", 2),
    ("€" * 80, "gsm7", 1),  # extension: two septets each
    ("€" * 81, "gsm7", 2),
    ("привет", "ucs2", 1),
    ("ж" * 70, "ucs2", 1),
    ("ж" * 71, "ucs2", 2),
    ("😀" * 35, "ucs2", 1),  # a surrogate pair is two units
    ("😀" * 36, "ucs2", 2),
])
def test_parts_and_encoding(text: str, encoding: str, count: int) -> None:
    message = prepare(CUSTOMER, text, operator="alice", requested_line=3)
    assert (message.encoding, len(message.parts)) == (encoding, count)
    assert (message.text, message.operator, message.requested_line) == (text, "alice", 3)
    decoded = submits(message.parts)
    assert "".join(d.text for d in decoded) == text
    assert all(d.destination.number == CUSTOMER for d in decoded)
    assert all(d.status_report_requested for d in decoded)  # reports are how we know
    for part in message.parts:
        assert part.tpdu_length == len(bytes.fromhex(part.pdu)) - 1  # SMSC field "00"
    if count > 1:
        assert {d.concat.reference for d in decoded} == {decoded[0].concat.reference}
        assert [d.concat.sequence for d in decoded] == list(range(1, count + 1))


def test_a_rejected_prepare_queues_nothing(store: Store) -> None:
    for to, text in [("2015550123", "hi"), ("+1555", "hi"), (CUSTOMER, ""),
                     (CUSTOMER, "x" * 2000)]:
        with pytest.raises(InvalidInputError):
            store.outbox.enqueue(prepare(to, text, operator="alice"))
    assert store.database.query("SELECT id FROM messages") == []
    assert store.database.query("SELECT id FROM outbound_parts") == []
    assert store.database.query("SELECT id FROM audit") == []
