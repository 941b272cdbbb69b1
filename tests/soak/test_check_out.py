"""The soak's checker on hand-made records, outbound and the daemon itself: silent on a
clean run, and each invariant fails when the records show its breach (so a passing
soak means something). The records: tests/soak/world.py; the clean run: conftest."""

from __future__ import annotations

import pytest
from _soak_facts import attempts

from .world import OUTSIDE, T0, stamp


def test_a_clean_run_has_no_violation(world):
    assert world.violations() == []


# ---- outbound --------------------------------------------------------------------------

def test_lost_the_database_says_delivered_but_the_network_never_got_it(world):
    world.line("line1")["submitted"] = [r for r in world.line("line1")["submitted"]
                                        if "o00001q" not in r["pdu"]]
    (v,) = [v for v in world.violations() if v["invariant"] == "lost"]
    assert v["subject"] == "o00001q" and "never got part 1" in v["detail"]


def test_duplicated_a_part_submitted_twice_without_a_resend(world):
    world.line("line1")["submitted"].append(dict(world.line("line1")["submitted"][0]))
    (v,) = world.violations()
    assert (v["invariant"], v["subject"]) == ("duplicated", "o00001q")


def test_an_agents_resend_allows_a_second_submission(world):
    world.line("line1")["submitted"].append(dict(world.line("line1")["submitted"][0]))
    world.log["resends"].append({"time": T0 + 30, "id": 1, "error": None})
    assert world.violations() == []


@pytest.mark.parametrize("status", ["queued", "sending"])
def test_stuck_nothing_stays_queued_or_sending(world, status):
    world.database["outbound"][0]["status"] = status
    assert world.invariants() == {"stuck"}


def test_a_refused_send_must_queue_nothing(world):
    world.log["sends"][0]["error"] = "database is locked"
    assert "refused send queued" in world.invariants()


def test_the_queued_text_is_the_agents_text(world):
    world.database["outbound"][0]["text"] = "o00001q seg1 changed"
    assert world.invariants() == {"wrong text"}


def test_failed_only_for_an_injected_permanent_error(world):
    message = world.database["outbound"][0]
    message["status"], message["error"] = "failed", "+CMS ERROR: 42 on AT+CMGS=20: temporary"
    world.refused("line1", "P-o00001q-1", 42, T0 + 10)
    assert world.invariants() == {"failed without cause"}
    message["error"] = "+CMS ERROR: 21 on AT+CMGS=20: permanent for the message"
    world.refused("line1", "P-o00001q-1", 21, T0 + 9)
    assert world.violations() == []


def test_failed_by_a_report_only_for_a_destination_that_fails(world):
    message = world.database["outbound"][0]
    message["status"], message["error"] = "failed", "report TP-ST 0x41"
    assert world.invariants() == {"failed without cause"}
    world.log["failing"] = {OUTSIDE: 0x41}
    assert world.violations() == []


def test_giving_up_needs_as_many_real_refusals_as_attempts(world):
    message = world.database["outbound"][0]
    message["status"] = "failed"
    message["error"] = "+CMS ERROR: 42 on AT+CMGS=20: temporary (gave up after 5 attempts)"
    world.refused("line1", "P-o00001q-1", 42, T0 + 9)
    assert world.invariants() == {"failed without cause"}  # 1 real refusal, 5 "attempts"


def _unknown(world, at=T0 + 11) -> dict:
    message = world.database["outbound"][0]
    message["status"] = "unknown"
    message["parts"][0].update(status="unknown", submitted_at=stamp(at), error="no answer")
    return message


def test_unknown_needs_a_crash_or_unplug_that_hit_it(world):
    _unknown(world)
    assert world.invariants() == {"unknown without cause"}
    world.event(T0 + 11.5, "kill", why="planned")
    assert world.violations() == []


def test_one_unplug_explains_one_unknown_part_not_two(world):
    _unknown(world)
    second = world.sent("o00003q", at=T0 + 11)
    second["status"] = "unknown"
    second["parts"][0].update(status="unknown", submitted_at=stamp(T0 + 11.2))
    world.fault(T0 + 12, "unplug", "line1", seconds=2)
    world.transcript("line1", (T0 + 11.01, "rx", "AT+CMGS=20\r"), (T0 + 11.02, "tx", "\r\n> "),
                     (T0 + 11.21, "rx", "AT+CMGS=20\r"), (T0 + 11.22, "tx", "\r\n> "))
    (v,) = world.violations()
    assert v["invariant"] == "unknown without cause"


def test_unknown_before_the_prompt_is_a_violation(world):
    _unknown(world)
    world.fault(T0 + 11.5, "unplug", "line1", seconds=2)
    world.transcript("line1", (T0 + 11.01, "rx", "AT+CMGS=20\r"))  # no "> " ever
    (v,) = world.violations()
    assert v["invariant"] == "unknown before the PDU" and v["subject"] == "o00001q"
    world.transcript("line1", (T0 + 11.02, "tx", "\r\n> "))
    assert world.violations() == []


def test_a_line_paused_by_330_sends_nothing_until_a_restart(world):
    world.refused("line1", "P-o00003q-1", 330, T0 + 20, text="o00003q x")
    world.transcript("line1", (T0 + 20, "rx", "AT+CMGS=20\r"), (T0 + 35, "rx", "AT+CMGS=20\r"))
    (v,) = world.violations()
    assert (v["invariant"], v["subject"]) == ("resubmitted while paused", "o00003q")
    assert "1 more AT+CMGS" in v["detail"]
    world.event(T0 + 30, "start")
    assert world.violations() == []


def test_a_pdu_nobody_queued_reaching_the_network(world):
    world.line("line2")["submitted"].append({"time": T0, "mr": 9, "to": OUTSIDE, "text": "?",
                                             "pdu": "P-STRANGER"})
    assert world.invariants() == {"submitted unknown PDU"}


# ---- the daemon and its lines ---------------------------------------------------------

def test_sigterm_right_after_the_start_may_end_it_by_the_signal(world):
    world.event(T0 + 60, "start")
    world.event(T0 + 60.1, "term")
    world.event(T0 + 60.2, "exited", code=-15)
    assert world.violations() == []
    world.event(T0 + 70, "start")
    world.event(T0 + 90, "term")
    world.event(T0 + 90.2, "exited", code=-15)
    assert world.invariants() == {"daemon exit status"}




def test_unresponsive_only_for_a_modem_that_went_quiet(world):
    world.log["line_states"] = [{"time": T0 + 20, "line": "line1", "state": "unresponsive",
                                 "reason": "re-initialising after: +CMS ERROR: 301"}]
    (v,) = world.violations()
    assert (v["invariant"], v["subject"]) == ("unresponsive though it answered", "line1")
    world.fault(T0 + 15, "fault", "line1", fault="hang", seconds=3)
    assert world.violations() == []


def test_the_daemon_must_not_die_and_must_exit_0_on_sigterm(world):
    world.event(T0 + 40, "exit", code=1)
    world.event(T0 + 50, "exited", code=-11)
    assert world.invariants() == {"daemon died", "daemon exit status"}


def test_the_transcript_shows_how_far_each_cmgs_got():
    entries = [{"time": 1, "dir": "rx", "text": "AT+CMGS=20\r"},
               {"time": 2, "dir": "tx", "text": "\r\n> "},
               {"time": 3, "dir": "rx", "text": "0011...\x1a"},
               {"time": 4, "dir": "tx", "text": "\r\n+CMGS: 7\r\n\r\nOK\r\n"},
               {"time": 5, "dir": "rx", "text": "AT+CMGS=20\r"},
               {"time": 6, "dir": "tx", "text": "\r\n+CMS ERROR: 330\r\n"}]
    first, second = attempts(entries)
    assert (first.prompted, first.pdu_sent, first.answered) == (True, True, True)
    assert (second.time, second.prompted, second.pdu_sent, second.answered) == (
        5, False, False, True)


