"""The worker's line life, driven directly: pauses that end only with their cause, sends
that fail before or after the PDU, and re-initialising as a path of its own."""

from __future__ import annotations

import logging
import threading

import pytest

from modemd.services.pause import FIRST_RECHECK
from modemd.store import LineState

from .conftest import Bench, wait_for


def test_an_unknown_smsc_pauses_the_line_once_and_it_waits_for_a_person(bench: Bench) -> None:
    """Defect: the 15 s re-check ended any pause once registered, so a +CMS 330 message
    was submitted again every 15 s, forever, and each claim added to attempts."""
    bench.start()
    bench.rig.fault("line1", "cms", code=330, count=1000)
    message_id = bench.queue()
    row = bench.wait_state(LineState.PAUSED)
    assert row["pause_cause"] == "smsc_unknown"
    assert "330" in row["reason"] and "modemd resume" in row["reason"]
    assert bench.later.delays() == []  # no timer can end this pause
    for _ in range(3):  # hours pass; the periodic monitor runs
        bench.clock.advance(3600)
        bench.monitor()
    assert bench.wait_state(LineState.PAUSED)["pause_cause"] == "smsc_unknown"
    message = bench.message(message_id)
    assert (message["status"], message["attempts"]) == ("queued", 1)
    assert len(bench.sent_to_modem("AT+CMGS=")) == 1

    bench.rig.fault("line1", "clear")  # the SMSC was set
    bench.store.lines.request_resume(bench.worker.line_id, "alice")
    bench.worker.wake()
    assert bench.wait_out(message_id)["attempts"] == 2
    assert bench.wait_state(LineState.OK)["pause_cause"] is None
    assert len(bench.rig.submitted("line1")) == 1


def test_no_service_ends_when_registration_is_seen_to_come_back(bench: Bench) -> None:
    bench.start()
    bench.rig.fault("line1", "cms", code=331, count=1)
    message_id = bench.queue()
    assert bench.wait_state(LineState.PAUSED)["pause_cause"] == "no_service"
    bench.monitor()  # registered all along, and the re-check is not due: stays paused
    assert bench.wait_state(LineState.PAUSED)["pause_cause"] == "no_service"
    assert bench.message(message_id)["status"] == "queued"

    bench.rig.fault("line1", "no-network")  # +CREG: 2 ...
    wait_for("unregistered seen", lambda: bench.line()["registration"] == 2)
    bench.rig.fault("line1", "clear")  # ... +CREG: 1
    bench.wait_out(message_id)
    assert bench.wait_state(LineState.OK)["reason"] is None


def test_no_service_is_rechecked_on_a_timer_that_doubles_while_it_persists(
        bench: Bench) -> None:
    bench.start()
    bench.rig.fault("line1", "cms", code=331, count=2)
    message_id = bench.queue()
    bench.wait_state(LineState.PAUSED)
    assert bench.later.delays() == [FIRST_RECHECK]
    bench.clock.advance(FIRST_RECHECK)
    bench.later.run_all()  # the re-check: registered, so it tries again -> 331 again
    wait_for("a second pause", lambda: bench.later.delays() == [2 * FIRST_RECHECK])
    assert len(bench.sent_to_modem("AT+CMGS=")) == 2
    bench.clock.advance(2 * FIRST_RECHECK)
    bench.later.run_all()
    assert bench.wait_out(message_id)["attempts"] == 3


def test_a_sim_failure_pauses_until_the_sim_answers_ready(bench: Bench) -> None:
    bench.start()
    bench.rig.fault("line1", "cms", code=310, count=1)
    message_id = bench.queue()
    assert bench.wait_state(LineState.PAUSED)["pause_cause"] == "sim"
    bench.clock.advance(FIRST_RECHECK)
    bench.later.run_all()
    bench.wait_out(message_id)
    assert len(bench.sent_to_modem("AT+CPIN?")) >= 2  # the re-check asked the SIM


def test_unplugged_before_the_prompt_the_part_goes_back_to_the_queue(bench: Bench) -> None:
    """Defect: it became `unknown`, "no answer after the PDU was written", though no PDU
    byte had left the host."""
    bench.start()
    bench.rig.fault("line1", "hang")
    message_id = bench.queue()
    wait_for("AT+CMGS written", lambda: bench.sent_to_modem("AT+CMGS="))
    bench.rig.unplug("line1")
    bench.wait_state(LineState.OFFLINE)
    message = bench.message(message_id)
    assert (message["status"], message["attempts"]) == ("queued", 0)
    assert "before the PDU" in message["error"]
    assert [(p["status"], p["payload_at"]) for p in bench.parts(message_id)] == [
        ("queued", None)]

    bench.rig.fault("line1", "clear")
    bench.rig.replug("line1")
    assert bench.wait_out(message_id, timeout=15)["attempts"] == 1
    assert len(bench.rig.submitted("line1")) == 1


def test_unplugged_after_the_pdu_the_part_is_unknown(bench: Bench) -> None:
    bench.start()
    bench.rig.fault("line1", "slow", seconds=1.0)
    message_id = bench.queue()
    wait_for("the PDU written", lambda: bench.parts(message_id)[0]["payload_at"])
    wait_for("the modem took it", lambda: bench.rig.submitted("line1"))
    bench.rig.unplug("line1")
    message = bench.wait_message(message_id, "unknown")
    assert message["attempts"] == 1 and "after the PDU" in message["error"]
    assert bench.parts(message_id)[0]["status"] == "unknown"


def test_a_modem_failure_reinitialises_without_calling_the_modem_silent(
        bench: Bench, caplog: pytest.LogCaptureFixture) -> None:
    """Defect: a made-up AtTimeout marked a modem that answered as unresponsive and
    climbed the reset ladder."""
    bench.start()
    inits = len(bench.sent_to_modem("AT+CMGF=0"))
    bench.rig.fault("line1", "cms", code=300, count=1)
    with caplog.at_level(logging.INFO, logger="modemd"):
        message_id = bench.queue()
        wait_for("init again", lambda: len(bench.sent_to_modem("AT+CMGF=0")) > inits)
        bench.wait_state(LineState.OK)
    message = bench.message(message_id)
    assert (message["status"], message["attempts"]) == ("queued", 1)
    assert message["next_attempt_at"] is not None  # a retry, later
    assert "re-initialising" in caplog.text
    assert "unresponsive" not in caplog.text
    assert bench.sent_to_modem("AT+CFUN") == []  # no reset was climbed
    assert bench.worker._silent == 0


def test_stopping_between_parts_leaves_the_rest_queued(bench: Bench) -> None:
    bench.start()
    bench.rig.fault("line1", "slow", seconds=0.5)
    message_id = bench.queue("x" * 400)  # three parts
    wait_for("part 1 sent", lambda: bench.parts(message_id)[0]["status"] == "sent",
             timeout=15)
    stopper = threading.Thread(target=bench.worker.stop)
    stopper.start()
    stopper.join(20)
    statuses = [p["status"] for p in bench.parts(message_id)]
    assert statuses[0] == "sent" and "sending" not in statuses and "unknown" not in statuses
    assert bench.message(message_id)["status"] in ("queued", "sent")
    assert bench.line()["state"] == "stopped"


def test_a_bug_while_sending_leaves_no_claim_behind(
        bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the soak: an unexpected exception left its message `sending` for good."""
    bench.start()
    calls = []

    def broken(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise AttributeError("a bug in recording the outcome")

    monkeypatch.setattr(bench.store.outbox, "part_sent", broken)
    message_id = bench.queue()
    bench.wait_state(LineState.ERROR)
    row = bench.message(message_id)
    assert row["status"] == "unknown"  # the PDU went, its answer was not recorded
    assert bench.parts(message_id)[0]["status"] == "unknown"
    monkeypatch.undo()
    second = bench.queue("after the bug")
    bench.wait_out(second, timeout=15)  # the line came back by itself
