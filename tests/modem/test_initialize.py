"""Initialisation across vendor profiles, identity, PIN at most once, never a PUK."""

from __future__ import annotations

import pytest

from modemd.emulator.profiles import available
from modemd.modem import PinRejected, PinRequired, PukRequired, SimMissing


@pytest.mark.parametrize("profile", available())
def test_initialize_reads_identity_on_every_profile(rig, make_line, profile):
    line = make_line(1, profile=profile)
    identity = line.modem.initialize()
    spec = line.spec
    assert (identity.imei, identity.imsi, identity.iccid) == (spec.imei, spec.imsi, spec.iccid)
    assert identity.own_number == spec.number
    assert identity.manufacturer == rig.network.modem(spec.name).profile.manufacturer
    settings = rig.network.modem(spec.name).settings
    assert settings.cmgf == 0
    assert settings.echo is False
    assert settings.cnmi[1] == 1  # store and notify with +CMTI


def test_own_number_is_none_when_the_sim_does_not_know_it(rig, make_line):
    line = make_line(1, number_on_sim=False)
    assert line.modem.initialize().own_number is None


def test_configured_pin_unlocks_the_sim(rig, make_line):
    line = make_line(1, pin="4321", pin_enabled=True)
    line.modem.initialize("4321")
    assert line.modem.pin_state() == "READY"


def test_missing_pin_stops_with_a_clear_error(rig, make_line):
    line = make_line(1, pin="4321", pin_enabled=True)
    with pytest.raises(PinRequired, match="set pin"):
        line.modem.initialize()


def test_wrong_pin_is_tried_exactly_once(rig, make_line):
    line = make_line(1, pin="4321", pin_enabled=True)
    with pytest.raises(PinRejected):
        line.modem.initialize("0000")
    with pytest.raises(PinRejected):
        line.modem.initialize("0000", pin_allowed=False)
    sent = [e["text"] for e in rig.transcript("line1") if e["dir"] == "rx"]
    assert sum('CPIN="' in text for text in sent) == 1
    assert rig.network.modem("line1").sim.pin_tries == 2


def test_puk_request_is_never_answered(rig, make_line):
    line = make_line(1, pin="4321", pin_enabled=True)
    modem = rig.network.modem("line1")
    modem.sim.pin_tries = 0
    modem.sim.power_on()  # the SIM now asks for its PUK
    with pytest.raises(PukRequired, match="never enters a PUK"):
        line.modem.initialize("4321")
    sent = "".join(e["text"] for e in rig.transcript("line1") if e["dir"] == "rx")
    assert 'CPIN="' not in sent


def test_missing_sim_is_reported(rig, make_line):
    line = make_line(1)
    rig.fault("line1", "no-sim")
    with pytest.raises(SimMissing, match="insert"):
        line.modem.initialize()
