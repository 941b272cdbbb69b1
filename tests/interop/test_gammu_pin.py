"""gammu against SIMs locked with `--pin 1234`: status, unlock, and what a locked SIM refuses.

Rig "pin": line1 and line2 are unlocked by gammu, line3 and line4 stay locked
(line4 after a wrong PIN). Lines 5 and 6 belong to the GsmModem tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from .support import Gammu, number, parse_fields

pytestmark = pytest.mark.interop


def unlock(gammu: Gammu) -> dict[str, Any]:
    return {
        "status_before": gammu(1, "getsecuritystatus"),
        "enter": gammu(1, "entersecuritycode", "PIN", "1234"),
        "status_after": gammu(1, "getsecuritystatus"),
    }


def unlock_then_identify(gammu: Gammu) -> dict[str, Any]:
    return {"enter": gammu(2, "entersecuritycode", "PIN", "1234"),
            "identify": gammu(2, "identify")}


def locked(gammu: Gammu) -> dict[str, Any]:
    return {"identify": gammu(3, "identify"),
            "send": gammu(3, "sendsms", "TEXT", number(1), "-text", "from a locked SIM")}


def wrong_pin(gammu: Gammu) -> dict[str, Any]:
    return {"enter": gammu(4, "entersecuritycode", "PIN", "0000"),
            "status": gammu(4, "getsecuritystatus")}


GAMMU_SCENARIOS = {
    "pin-unlock": ("pin", unlock),
    "pin-identify": ("pin", unlock_then_identify),
    "pin-locked": ("pin", locked),
    "pin-wrong": ("pin", wrong_pin),
}


def test_gammu_enters_the_pin_and_the_sim_opens(gammu_scenarios, rigs):
    result = gammu_scenarios.result("pin-unlock")
    before, enter, after = result["status_before"], result["enter"], result["status_after"]
    assert before.returncode == 0, before
    assert before.stdout.strip() == "Waiting for PIN.", before
    assert enter.returncode == 0, enter
    assert after.returncode == 0, after
    assert after.stdout.strip() == "Nothing to enter.", after
    assert rigs["pin"].ctl("lines")[0]["sim"] == "READY"


def test_gammu_identify_shows_the_imsi_once_unlocked(gammu_scenarios, rigs):
    result = gammu_scenarios.result("pin-identify")
    enter, identify = result["enter"], result["identify"]
    assert enter.returncode == 0, enter
    assert identify.returncode == 0, identify
    assert parse_fields(identify.stdout)["SIM IMSI"] == rigs.line("pin", 2)["imsi"], identify


def test_a_locked_sim_shows_no_imsi_and_sends_nothing(gammu_scenarios, rigs):
    result = gammu_scenarios.result("pin-locked")
    identify, send = result["identify"], result["send"]
    assert identify.returncode == 0, identify
    shown = parse_fields(identify.stdout)
    assert shown["IMEI"] == rigs.line("pin", 3)["imei"], identify
    assert "SIM IMSI" not in shown, identify  # +CIMI answers +CME ERROR: 11 (SIM PIN required)

    assert send.returncode != 0, send
    assert "SMSC" in send.stdout + send.stderr, send  # +CSCA? answers +CMS ERROR: 311
    assert rigs["pin"].submitted(3) == []


def test_a_wrong_pin_is_refused_and_the_sim_stays_locked(gammu_scenarios, rigs):
    result = gammu_scenarios.result("pin-wrong")
    enter, status = result["enter"], result["status"]
    assert enter.returncode != 0, enter
    assert "Security error" in enter.stdout + enter.stderr, enter  # +CME ERROR: 16
    assert status.stdout.strip() == "Waiting for PIN.", status
    assert rigs["pin"].ctl("lines")[3]["sim"] == "SIM PIN"
