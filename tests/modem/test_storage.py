"""Reading, sweeping and deleting stored messages: delete only on the caller's say-so."""

from __future__ import annotations

import time

from modemd.modem import Stored
from modemd.sms import Deliver, StatusReport, Undecodable, encode_submit


def wait_stored(line, count: int) -> list[Stored]:
    events = []
    while len(events) < count:
        event = line.next_event()
        if isinstance(event, Stored):
            events.append(event)
    return events


def test_read_does_not_delete(rig, make_line):
    line = make_line(1)
    line.modem.initialize()
    rig.inject("line1", "+14155550100", "keep me")
    (event,) = wait_stored(line, 1)
    with line.modem.storage(event.memory) as session:
        assert session.read(event.index).decoded.text == "keep me"
    assert len(rig.storage("line1")["SM"]) == 1
    with line.modem.storage(event.memory) as session:
        session.delete(event.index)
        assert session.read(event.index) is None
    assert rig.storage("line1")["SM"] == []


def test_sweep_finds_messages_waiting_before_start_in_every_memory(rig, make_line):
    line = make_line(1)
    for number in range(3):
        rig.inject("line1", "+14155550100", f"waiting {number}")
    rig.inject_pdu("line1", "00DEADBEEF")  # garbage the network delivered anyway
    modem = rig.network.modem("line1")
    deadline = time.monotonic() + 5
    while len(modem.sim.storages["SM"].listing(None)) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    line.modem.initialize()
    found = line.modem.sweep()
    texts = sorted(m.decoded.text for m in found if isinstance(m.decoded, Deliver))
    assert texts == ["waiting 0", "waiting 1", "waiting 2"]
    raw = [m for m in found if isinstance(m.decoded, Undecodable)]
    assert [m.pdu for m in raw] == ["00DEADBEEF"]
    assert len(rig.storage("line1")["SM"]) == 4, "a sweep deletes nothing"


def test_status_reports_in_sr_memory_are_swept(rig, make_line):
    sender, receiver = make_line(1), make_line(2)
    sender.modem.initialize()
    receiver.modem.initialize()
    (part,) = encode_submit(receiver.spec.number, "hi")
    reference = sender.modem.send_part(part)
    wait_stored(sender, 1)
    reports = [m for m in sender.modem.sweep() if isinstance(m.decoded, StatusReport)]
    assert [(m.memory, m.decoded.message_reference) for m in reports] == [("SR", reference)]


def test_sweep_skips_a_memory_the_modem_offers_but_refuses_to_select(rig, make_line):
    line = make_line(1)
    line.modem.initialize()
    rig.inject("line1", "+14155550100", "still found")
    wait_stored(line, 1)
    line.modem.memories.append("XX")  # as a modem whose AT+CPMS=? lies
    found = line.modem.sweep()
    assert [m.decoded.text for m in found] == ["still found"]
