"""Lines by identity (never by tty), PIN memory, --line selectors, and which line sends."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from modemd.store import LineIdentity, Store

from .helpers import CUSTOMER, OTHER, add_line, claim, delivers, message_row, queue, send

IDENTITY = LineIdentity(iccid="8901000000000000001", imsi="310000000000001",
                        imei="350000000000001", own_number="+15551000001",
                        manufacturer="Quectel", model="EC25")


def test_a_replugged_modem_keeps_its_line_under_a_new_tty(store: Store) -> None:
    first = store.lines.register(IDENTITY, name="desk-1", port="/dev/ttyUSB2")
    again = store.lines.register(IDENTITY, name=None, port="/dev/ttyUSB7")
    assert again == first
    [row] = store.lines.all()
    assert (row["port"], row["name"], row["model"]) == ("/dev/ttyUSB7", "desk-1", "EC25")


@pytest.mark.parametrize("known", [
    LineIdentity(iccid="8901000000000000001", imsi=None, imei=None),
    LineIdentity(iccid=None, imsi="310000000000001", imei=None),
    LineIdentity(iccid=None, imsi=None, imei="350000000000001"),
])
def test_found_by_iccid_else_imsi_else_imei(store: Store, known: LineIdentity) -> None:
    first = store.lines.register(IDENTITY, name="desk-1", port="/dev/ttyUSB0")
    assert store.lines.register(known, name=None, port="/dev/ttyACM0") == first
    [row] = store.lines.all()
    assert (row["iccid"], row["imsi"], row["imei"], row["own_number"]) == (
        IDENTITY.iccid, IDENTITY.imsi, IDENTITY.imei, IDENTITY.own_number)  # nothing lost


def test_iccid_wins_over_a_stale_imei_match(store: Store) -> None:
    """The SIM moved to another modem: the line follows the ICCID, not the IMEI."""
    line_a = store.lines.register(IDENTITY, name="a", port="/dev/ttyUSB0")
    line_b = store.lines.register(
        LineIdentity(iccid="8901000000000000002", imsi="310000000000002",
                     imei="350000000000002"), name="b", port="/dev/ttyUSB1")
    moved = LineIdentity(iccid=IDENTITY.iccid, imsi=IDENTITY.imsi, imei="350000000000002")
    assert store.lines.register(moved, name=None, port="/dev/ttyUSB1") == line_a != line_b


def test_a_new_sim_in_a_known_modem_is_a_new_line(store: Store) -> None:
    old = store.lines.register(IDENTITY, name="desk-1", port="/dev/ttyUSB0")
    swapped = LineIdentity(iccid="8901000000000000009", imsi="310000000000009",
                           imei=IDENTITY.imei, own_number="+15551000009")
    new = store.lines.register(swapped, name=None, port="/dev/ttyUSB0")
    assert new != old
    assert store.lines.resolve(IDENTITY.iccid) == old


def test_pin_rejection_is_remembered_across_restarts(open_store: Callable[[], Store]) -> None:
    store = open_store()
    line = store.lines.register(IDENTITY, name=None, port="/dev/ttyUSB0")
    assert not store.lines.pin_rejected(IDENTITY.iccid, "1234")
    store.lines.record_pin_rejected(line, IDENTITY.iccid, "1234")
    store.close()
    restarted = open_store()
    assert restarted.lines.pin_rejected(IDENTITY.iccid, "1234")  # never entered again
    assert not restarted.lines.pin_rejected(IDENTITY.iccid, "4321")  # a new PIN gets one try
    assert not restarted.lines.pin_rejected("8901000000000000099", "1234")
    assert not restarted.lines.pin_rejected(None, "1234")
    [row] = restarted.lines.all()
    assert "1234" not in str(row)  # the PIN itself is not stored


def test_resolve_by_id_name_number_iccid_imsi(store: Store) -> None:
    add_line(store, 1, name="desk-1")
    line = store.lines.register(IDENTITY, name="desk-2",
                                port="/dev/ttyUSB5")
    for selector in (str(line), "desk-2", "+15551000001", IDENTITY.iccid, IDENTITY.imsi):
        assert store.lines.resolve(selector) == line, selector
    assert store.lines.resolve("desk-9") is None
    assert store.lines.resolve("99") is None


def test_healthy_lines_are_those_in_state_ok(store: Store) -> None:
    one, two, three = add_line(store, 1), add_line(store, 2, state="paused"), add_line(store, 3)
    assert store.lines.healthy() == [one, three]
    store.lines.set_state(two, "ok")
    store.lines.set_state(one, "pin_rejected", "wrong PIN: fix `pin` in the config")
    assert store.lines.healthy() == [two, three]
    row = next(r for r in store.lines.all() if r["id"] == one)
    assert (row["state"], row["reason"]) == ("pin_rejected", "wrong PIN: fix `pin` in the config")


def test_set_radio(store: Store) -> None:
    line = add_line(store, 1)
    store.lines.set_radio(line, signal=21, registration=1, operator="T-Mobile")
    [row] = store.lines.all()
    assert (row["signal"], row["registration"], row["operator"]) == (21, 1, "T-Mobile")


# --- which line sends -----------------------------------------------------------------------

def test_a_requested_line_wins(store: Store) -> None:
    one, two = add_line(store, 1), add_line(store, 2)
    message_id = queue(store, line=two)
    healthy = [one, two]
    assert claim(store, one, healthy) is None
    assert claim(store, two, healthy).message_id == message_id


def test_a_requested_line_that_is_down_is_waited_for(store: Store) -> None:
    one, two = add_line(store, 1), add_line(store, 2, state="offline")
    message_id = queue(store, line=two)
    assert claim(store, one, [one]) is None  # not taken by another line
    assert message_row(store, message_id)["status"] == "queued"
    store.lines.set_state(two, "ok")
    assert claim(store, two, store.lines.healthy()).message_id == message_id


def test_sticky_line_is_the_last_outbound_line_to_the_contact(store: Store) -> None:
    one, two = add_line(store, 1), add_line(store, 2)
    queue(store, "first", line=two)
    send(store, two, healthy=[one, two])
    later = queue(store, "second")  # no --line: stays on the number the customer knows
    assert claim(store, one, [one, two]) is None
    assert claim(store, two, [one, two]).message_id == later


def test_sticky_line_is_the_line_the_contact_last_texted(store: Store) -> None:
    one, two = add_line(store, 1), add_line(store, 2)
    queue(store, "old", line=one)
    send(store, one, healthy=[one, two])
    [(pdu, deliver)] = delivers(CUSTOMER, "reply on line 2")
    store.inbox.record(two, pdu, deliver)  # the customer's latest words came to line 2
    reply = queue(store, "answer")
    assert claim(store, one, [one, two]) is None
    assert claim(store, two, [one, two]).message_id == reply


def test_sticky_line_down_falls_back_to_a_healthy_line(store: Store) -> None:
    one, two = add_line(store, 1), add_line(store, 2)
    queue(store, "first", line=two)
    send(store, two, healthy=[one, two])
    store.lines.set_state(two, "offline")
    message_id = queue(store, "second")
    assert claim(store, one, store.lines.healthy()).message_id == message_id


def test_least_busy_healthy_line_otherwise(store: Store) -> None:
    one, two, three = add_line(store, 1), add_line(store, 2), add_line(store, 3)
    queue(store, "busy 1", to=OTHER, line=one)
    queue(store, "busy 2", to=OTHER, line=one)
    queue(store, "busy 3", to=OTHER, line=two)
    fresh = queue(store, "new contact")  # line 3 has nothing queued
    healthy = [one, two, three]
    assert claim(store, one, healthy).message_id != fresh
    assert claim(store, two, healthy).message_id != fresh
    assert claim(store, three, healthy).message_id == fresh


def test_least_busy_ignores_unhealthy_lines(store: Store) -> None:
    one, two = add_line(store, 1), add_line(store, 2, state="offline")
    queue(store, "busy", to=OTHER, line=one)
    fresh = queue(store, "new contact")
    claim(store, one, [one])  # the busy one
    assert claim(store, one, [one]).message_id == fresh
    assert claim(store, two, [one]) is None


def test_release_before_any_part_went_out_frees_the_message(store: Store) -> None:
    one, two = add_line(store, 1), add_line(store, 2)
    message_id = queue(store)
    claim(store, one, [one])
    store.outbox.release(message_id, "line paused: +CMS ERROR: 330")
    row = message_row(store, message_id)
    assert (row["status"], row["line_id"]) == ("queued", None)
    assert claim(store, two, [two]).message_id == message_id


def test_release_keeps_a_requested_line(store: Store) -> None:
    one = add_line(store, 1)
    message_id = queue(store, line=one)
    claim(store, one, [one])
    store.outbox.release(message_id, "unplugged")
    assert message_row(store, message_id)["line_id"] == one


def test_release_after_the_first_part_keeps_the_line(store: Store) -> None:
    """The rest of a long message must come from the same number, or it cannot be joined."""
    one, two = add_line(store, 1), add_line(store, 2)
    message_id = queue(store, "y" * 400)
    claimed = claim(store, one, [one, two])
    store.outbox.part_sending(claimed.parts[0].id, one)
    store.outbox.part_sent(message_id, claimed.parts[0].id, 1, attempt=True)
    store.outbox.release(message_id, "unplugged")
    row = message_row(store, message_id)
    assert (row["status"], row["line_id"]) == ("queued", one)
    assert claim(store, two, [two]) is None
    assert [p.seq for p in claim(store, one, [one]).parts] == [2, 3]


def test_a_released_part_waits_in_the_queue_for_any_line(store: Store) -> None:
    one, two = add_line(store, 1), add_line(store, 2)
    message_id = queue(store)
    part = claim(store, one, [one]).parts[0]
    store.outbox.part_sending(part.id, one)
    store.outbox.part_released(message_id, part.id, "+CMS ERROR: 330 (SMSC unknown)", attempt=True)
    row = message_row(store, message_id)
    assert (row["status"], row["line_id"], row["error"]) == (
        "queued", None, "+CMS ERROR: 330 (SMSC unknown)")
    assert claim(store, two, [two]).parts[0].id == part.id


def test_a_released_later_part_keeps_the_line(store: Store) -> None:
    one, two = add_line(store, 1), add_line(store, 2)
    message_id = queue(store, "y" * 400)
    first, second, _third = claim(store, one, [one, two]).parts
    store.outbox.part_sending(first.id, one)
    store.outbox.part_sent(message_id, first.id, 1, attempt=True)
    store.outbox.part_sending(second.id, one)
    store.outbox.part_released(message_id, second.id, "SIM busy", attempt=True)
    assert message_row(store, message_id)["line_id"] == one
    assert claim(store, two, [two]) is None
    assert [p.seq for p in claim(store, one, [one]).parts] == [2, 3]
