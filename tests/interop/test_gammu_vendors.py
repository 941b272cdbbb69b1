"""gammu against every vendor profile: identify, send and read, on the line of that profile.

Rig "vendors": line N (1-5) runs profile N; line N+5 is a generic line that only
receives what line N sends.
"""

from __future__ import annotations

from typing import Any

import pytest

from .support import (
    Gammu,
    at_command,
    number,
    parse_fields,
    parse_sms_listing,
    profile,
    wait_for,
)

pytestmark = pytest.mark.interop

VENDORS = ("generic", "quectel", "simcom", "huawei", "sierra")
SINK = 5  # line N sends to line N + SINK

def vendor_scenario(index: int, name: str):
    def run(gammu: Gammu) -> dict[str, Any]:
        emulator = gammu.emulator
        if name == "huawei":
            # What one does once per Huawei stick: silence ^RSSI/^BOOT on the AT port.
            # gammu's own post-connect sends it too, but only after its slow,
            # byte-by-byte init, where a ^BOOT landing inside an echoed command line
            # makes gammu 1.42 wait for ever (seen in its log: "UNKNOWN frame").
            at_command(emulator.port(index), "AT^CURC=0")
        emulator.inject(index, "+14155550100", f"Hello {name} line")
        wait_for(lambda: emulator.stored(index) == 1, what="the injected message stored")
        return {
            "identify": gammu(index, "identify"),
            "send": gammu(index, "sendsms", "TEXT", number(index + SINK),
                          "-text", f"From the {name} line"),
            "listing": gammu(index, "getallsms"),
        }

    return run


GAMMU_SCENARIOS = {
    f"vendor-{name}": ("vendors", vendor_scenario(index, name))
    for index, name in enumerate(VENDORS, start=1)
}

CASES = [
    pytest.param(index, name, id=name)
    for index, name in enumerate(VENDORS, start=1)
]


@pytest.mark.parametrize(("index", "name"), CASES)
def test_gammu_identify_shows_the_profiles_identity(gammu_scenarios, rigs, index, name):
    run = gammu_scenarios.result(f"vendor-{name}")["identify"]
    expected, line = profile(name), rigs.line("vendors", index)
    assert run.returncode == 0, run
    shown = parse_fields(run.stdout)
    assert shown["IMEI"] == line["imei"], run
    assert shown["SIM IMSI"] == line["imsi"], run
    # gammu normalises the case of makers it knows ("huawei" -> "Huawei").
    assert shown["Manufacturer"].casefold() == expected["manufacturer"].casefold(), run
    assert f"({expected['model']})" in shown["Model"], run  # "unknown (EC25)", "E173 (E173)"
    assert expected["revision"] in shown["Firmware"], run


@pytest.mark.parametrize(("index", "name"), CASES)
def test_gammu_sendsms_from_each_profile(gammu_scenarios, rigs, index, name):
    run = gammu_scenarios.result(f"vendor-{name}")["send"]
    emulator = rigs["vendors"]
    assert run.returncode == 0, run
    assert "message reference=" in run.stdout, run
    sent = emulator.submitted(index)
    assert [(s["to"], s["text"]) for s in sent] == [
        (number(index + SINK), f"From the {name} line")], run
    assert run.stdout.rstrip().endswith(f"message reference={sent[0]['mr']}"), run
    wait_for(lambda: emulator.stored(index + SINK) == 1, what="the message at the sink line")


@pytest.mark.parametrize(("index", "name"), CASES)
def test_gammu_getallsms_on_each_profile(gammu_scenarios, index, name):
    run = gammu_scenarios.result(f"vendor-{name}")["listing"]
    assert run.returncode == 0, run
    listed = parse_sms_listing(run.stdout)
    assert [(m.remote, m.text) for m in listed] == [("+14155550100", f"Hello {name} line")], run
