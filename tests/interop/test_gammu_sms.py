"""gammu sends and reads SMS through the emulator: alphabets, long messages, senders, deletion.

Rig "traffic" (generic lines). Each scenario owns its lines:
line1 -> line2 GSM-7, line3 -> line4 UCS-2, line5 -> line6 long, line7 injected, line8 deletion.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .support import Gammu, number, parse_sms_listing, wait_for

pytestmark = pytest.mark.interop

GSM7_TEXT = "Ext ^{}\\[~]|€ and § £¥èéùìòÇØøÅå ΔΦΓΛΩ @$ end"
UNICODE_TEXT = "Hi 😀 你好 世界 👍🏽 ok"
LONG_TEXT = "".join(f"Part{i:03d}-abcdefghij " for i in range(25))[:400]  # 153 + 153 + 94
INJECTED_LONG = " ".join(f"word{i:03d}" for i in range(50))  # 399 septets: 3 parts
INJECTED_WIDE = " ".join(f"wide{i:03d}" for i in range(50))
REFERENCE = re.compile(r"message reference=(\d+)")


def send_and_read(sender: int, receiver: int, *send_options: str):
    def run(gammu: Gammu) -> dict[str, Any]:
        emulator = gammu.emulator
        send = gammu(sender, "sendsms", "TEXT", number(receiver), *send_options)
        parts = len(REFERENCE.findall(send.stdout)) or 1
        wait_for(lambda: emulator.stored(receiver) >= parts, what="the parts at the receiver")
        return {"send": send, "listing": gammu(receiver, "getallsms"),
                "linked": gammu(receiver, "geteachsms") if parts > 1 else None}

    return run


def injected(gammu: Gammu) -> dict[str, Any]:
    emulator = gammu.emulator
    emulator.inject(7, "ACME", "Your parcel is on its way")
    emulator.inject(7, "+14155550100", INJECTED_LONG)
    emulator.inject(7, "+14155550111", INJECTED_WIDE, wide=True, shuffle=True)
    wait_for(lambda: emulator.stored(7) == 7, what="1 + 3 + 3 injected parts stored")
    return {"listing": gammu(7, "getallsms"), "linked": gammu(7, "geteachsms")}


def deletion(gammu: Gammu) -> dict[str, Any]:
    emulator = gammu.emulator
    emulator.inject(8, "+14155550100", "first, to be deleted")
    emulator.inject(8, "SHOP", "second, to be deleted")
    wait_for(lambda: emulator.stored(8) == 2, what="two messages stored")
    before = gammu(8, "getallsms")
    delete = gammu(8, "deleteallsms", "1")
    storage = emulator.cli_json("storage", "line8")
    return {"before": before, "delete": delete, "storage": storage,
            "after": gammu(8, "getallsms")}


GAMMU_SCENARIOS = {
    "sms-gsm7": ("traffic", send_and_read(1, 2, "-text", GSM7_TEXT)),
    "sms-unicode": ("traffic", send_and_read(3, 4, "-unicode", "-text", UNICODE_TEXT)),
    "sms-long": ("traffic", send_and_read(5, 6, "-autolen", str(len(LONG_TEXT)),
                                          "-text", LONG_TEXT)),
    "sms-injected": ("traffic", injected),
    "sms-delete": ("traffic", deletion),
}


@pytest.mark.parametrize(("scenario", "sender", "receiver", "text", "encoding", "coding"), [
    pytest.param("sms-gsm7", 1, 2, GSM7_TEXT, "gsm7", "Default GSM alphabet",
                 id="gsm7-extension-and-section-sign"),
    pytest.param("sms-unicode", 3, 4, UNICODE_TEXT, "ucs2", "Unicode", id="ucs2-emoji-and-cjk"),
])
def test_gammu_sendsms_arrives_exactly(gammu_scenarios, rigs, scenario, sender, receiver,
                                       text, encoding, coding):
    result = gammu_scenarios.result(scenario)
    send, listing = result["send"], result["listing"]
    assert send.returncode == 0, send
    references = [int(r) for r in REFERENCE.findall(send.stdout)]
    assert len(references) == 1, send

    submitted = rigs["traffic"].submitted_cli(sender)
    assert [(s["to"], s["text"], s["encoding"], s["mr"]) for s in submitted] == [
        (number(receiver), text, encoding, references[0])], send

    assert listing.returncode == 0, listing
    listed = parse_sms_listing(listing.stdout)
    assert [(m.remote, m.text) for m in listed] == [(number(sender), text)], listing
    assert listed[0].coding.startswith(coding), listing


def test_gammu_long_text_goes_as_three_linked_parts(gammu_scenarios, rigs):
    result = gammu_scenarios.result("sms-long")
    send = result["send"]
    assert send.returncode == 0, send
    assert "Sending SMS 3/3" in send.stdout, send
    references = [int(r) for r in REFERENCE.findall(send.stdout)]

    submitted = rigs["traffic"].submitted_cli(5)
    assert [s["mr"] for s in submitted] == references, send
    assert len(submitted) == 3, submitted
    concat = [s["concat"] for s in submitted]
    assert {c["reference"] for c in concat} == {concat[0]["reference"]}, concat
    assert [(c["total"], c["sequence"]) for c in concat] == [(3, 1), (3, 2), (3, 3)], concat
    assert all(s["to"] == number(6) and s["encoding"] == "gsm7" for s in submitted)
    assert "".join(s["text"] for s in submitted) == LONG_TEXT


def test_gammu_reads_the_three_parts_and_links_them(gammu_scenarios):
    result = gammu_scenarios.result("sms-long")
    listing, linked = result["listing"], result["linked"]
    assert listing.returncode == 0, listing
    parts = parse_sms_listing(listing.stdout)
    ids = {re.search(r"ID \(8 bit\) (\d+)", p.udh).group(1) for p in parts}
    assert len(ids) == 1, listing
    assert [re.search(r"part (\d) of 3", p.udh).group(1) for p in parts] == ["1", "2", "3"]
    assert "".join(p.text for p in parts) == LONG_TEXT

    assert linked.returncode == 0, linked
    whole = parse_sms_listing(linked.stdout)
    assert [(m.remote, m.text, len(m.locations)) for m in whole] == [
        (number(5), LONG_TEXT, 3)], linked
    assert "3 parts" in whole[0].udh, linked


def test_gammu_shows_an_alphanumeric_sender(gammu_scenarios):
    listing = gammu_scenarios.result("sms-injected")["listing"]
    assert listing.returncode == 0, listing
    first = parse_sms_listing(listing.stdout)[0]
    assert (first.remote, first.text) == ("ACME", "Your parcel is on its way"), listing


def test_gammu_reassembles_injected_long_messages(gammu_scenarios):
    """8-bit reference in order, and 16-bit reference delivered shuffled: both join up."""
    linked = gammu_scenarios.result("sms-injected")["linked"]
    assert linked.returncode == 0, linked
    messages = {m.remote: m for m in parse_sms_listing(linked.stdout)}
    assert messages["ACME"].text == "Your parcel is on its way", linked
    assert messages["+14155550100"].text == INJECTED_LONG, linked
    assert "ID (8 bit)" in messages["+14155550100"].udh, linked
    assert messages["+14155550111"].text == INJECTED_WIDE, linked
    assert "ID (16 bit)" in messages["+14155550111"].udh, linked


def test_gammu_deleteallsms_empties_the_sim(gammu_scenarios):
    result = gammu_scenarios.result("sms-delete")
    before, delete, after = result["before"], result["delete"], result["after"]
    assert [m.remote for m in parse_sms_listing(before.stdout)] == ["+14155550100", "SHOP"], before
    assert delete.returncode == 0, delete
    assert result["storage"] == {"SM": [], "ME": [], "SR": []}, delete
    assert after.returncode == 0, after
    assert parse_sms_listing(after.stdout) == [], after
