"""The soak's checker on hand-made records, inbound, quarantine, SIMs and reports: each
invariant fails when the records show its breach."""

from __future__ import annotations

import pytest

from .world import OUTSIDE, T0, World

# ---- inbound ---------------------------------------------------------------------------

def test_inbound_lost(world):
    world.database["inbound"] = [r for r in world.database["inbound"]
                                 if "i00001q" not in r["text"]]
    assert world.invariants() == {"inbound lost"}


def test_inbound_stored_twice(world):
    world.database["inbound"].append({**world.database["inbound"][-1], "id": 999})
    assert world.invariants() == {"inbound duplicated"}


def test_inbound_with_the_wrong_text(world):
    row = next(r for r in world.database["inbound"] if "i00001q" in r["text"])
    row["text"] = row["text"].replace("in1", "inX")
    (v,) = world.violations()
    assert (v["invariant"], v["subject"]) == ("inbound wrong", "i00001q")


def test_inbound_from_the_wrong_sender_or_on_the_wrong_line(world):
    row = next(r for r in world.database["inbound"] if "i00001q" in r["text"])
    row["peer"], row["line_id"] = "ACNE", 1
    (v,) = world.violations()
    assert "from ACNE" in v["detail"] and "on line1" in v["detail"]


def test_incomplete_although_every_part_came(world):
    row = next(r for r in world.database["inbound"] if "o00002q" in r["text"])
    row["status"] = "incomplete"
    assert world.invariants() == {"inbound wrong"}


def test_incomplete_is_right_when_a_part_never_came():
    w = World()
    w.injected("i00003q", parts=3, dropped=(2,))
    assert w.violations() == []


def test_a_late_part_must_merge(world):
    world.injected("i00004q", parts=3, late=(3,))
    assert world.violations() == []
    early = {**world.database["inbound"][-1], "id": 998, "status": "incomplete"}
    world.database["inbound"].append(early)  # the late part made a message of its own
    assert world.invariants() == {"inbound duplicated"}


def test_parts_of_two_messages_mixed_into_one(world):
    row = next(r for r in world.database["inbound"] if "i00001q" in r["text"])
    row["text"] += "i00002q in1 "
    assert "inbound mixed" in world.invariants()


def test_an_inbound_message_nobody_sent(world):
    world.database["inbound"].append({"id": 997, "peer": "X", "line_id": 1, "text": "hi",
                                      "status": "received", "parts": 1, "parts_received": 1})
    assert world.invariants() == {"unexpected inbound"}


# ---- quarantine, commits, SIMs, reports, the daemon -------------------------------------

def test_undecodable_input_must_be_in_quarantine(world):
    world.database["quarantine"] = []
    assert world.invariants() == {"not quarantined", "not committed"}


def test_a_good_message_must_not_be_quarantined(world):
    world.database["quarantine"].append({"pdu": "D-I00001Q-1", "line_id": 2, "reason": "?"})
    assert world.invariants() == {"wrongly quarantined"}


def test_what_a_line_was_handed_must_be_committed(world):
    world.database["inbound_parts"].pop()
    assert "not committed" in world.invariants()


def test_a_lost_status_report(world):
    world.database["reports"].pop(0)
    (v,) = world.violations()
    assert v["invariant"] == "not committed" and v["detail"].startswith("report")


@pytest.mark.parametrize("how", ["stored", "held", "unplugged"])
def test_an_undrained_sim(world, how):
    line = world.line("line2")
    if how == "stored":
        line["storage"]["SM"].append({"index": 1, "stat": 0, "pdu": "07", "report": False})
    elif how == "held":
        line["held"] = 2
    else:
        line["plugged"] = False
    assert world.invariants() == {"SIM not empty"}


def test_a_report_matched_to_another_message(world):
    reports = world.database["reports"]
    reports[0]["part_id"], reports[1]["part_id"] = reports[1]["part_id"], reports[0]["part_id"]
    assert world.invariants() == {"report on the wrong part"}


def test_an_orphaned_report_is_fine(world):
    world.database["reports"][0]["part_id"] = None
    assert world.violations() == []


def test_identical_reports_on_two_lines_are_told_apart_by_their_line(world):
    """Same MR, same recipient, same second: two lines' reports can be byte for byte equal."""
    first = world.sent("o00005q", line="line1", to=OUTSIDE)
    second = world.sent("o00006q", line="line2", to=OUTSIDE)
    for message in (first, second):
        report = next(r for r in world.database["reports"]
                      if r["part_id"] == message["parts"][0]["id"])
        line = world.line("line1" if message is first else "line2")
        record = next(r for r in line["received"] if r["pdu"] == report["pdu"])
        report["pdu"] = record["pdu"] = "R-SAME"
    assert world.violations() == []


def test_an_agents_resend_may_deliver_a_line_to_line_message_twice(world):
    message = world.database["outbound"][1]  # o00002q, to line2
    line = world.line("line1")
    line["submitted"] += [dict(r) for r in line["submitted"] if "o00002q" in r["pdu"]]
    world.database["inbound"].append({**world.database["inbound"][0], "id": 996})
    assert world.invariants() == {"duplicated", "inbound duplicated"}
    world.log["resends"].append({"time": T0 + 30, "id": message["id"], "error": None})
    assert world.violations() == []
