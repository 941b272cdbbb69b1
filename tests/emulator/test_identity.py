"""Who the modem and SIM are: manufacturer, model, IMEI, IMSI, ICCID, own number, ATI."""

from __future__ import annotations

import pytest

from modemd.emulator.spec import LineSpec

LINE1 = LineSpec.numbered(1)


@pytest.mark.parametrize("command", ["AT+CGMI", "AT+GMI"])
def test_manufacturer_in_both_forms(bench, command):
    dte = bench.line()
    dte.setup()
    dte.write(command.encode() + b"\r")
    dte.expect(b"\r\nmodemd\r\n\r\nOK\r\n")


@pytest.mark.parametrize(("command", "answer"), [
    ("AT+CGMM", b"Emulated GSM Modem"),
    ("AT+GMM", b"Emulated GSM Modem"),
    ("AT+CGMR", b"EMU-1.0"),
    ("AT+GMR", b"EMU-1.0"),
])
def test_model_and_revision(bench, command, answer):
    dte = bench.line()
    dte.setup()
    dte.write(command.encode() + b"\r")
    dte.expect(b"\r\n" + answer + b"\r\n\r\nOK\r\n")


def test_identity_test_form_answers_ok(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CGMI=?\r")
    dte.expect(b"\r\nOK\r\n")


def test_vendor_profile_identity(bench):
    dte = bench.line(profile="simcom")
    dte.read_until(b"SMS Ready\r\n")
    dte.setup()
    dte.write(b"AT+CGMI\r")
    dte.expect(b"\r\nSIMCOM_Ltd\r\n\r\nOK\r\n")
    dte.write(b"AT+CGMM\r")
    dte.expect(b"\r\nSIMCOM_SIM800\r\n\r\nOK\r\n")
    dte.write(b"AT+CGMR\r")
    dte.expect(b"\r\nRevision:1418B05SIM800L24\r\n\r\nOK\r\n")


def test_imei(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CGSN\r")
    dte.expect(b"\r\n" + LINE1.imei.encode() + b"\r\n\r\nOK\r\n")
    assert len(LINE1.imei) == 15


def test_every_line_has_its_own_identity(bench):
    one, two = bench.line(1), bench.line(2)
    answers = []
    for dte in (one, two):
        dte.setup()
        answers.append([dte.command(c) for c in ("AT+CGSN", "AT+CIMI", "AT+CCID", "AT+CNUM")])
    two_spec = LineSpec.numbered(2)
    assert answers[1] == [f"\r\n{two_spec.imei}\r\n\r\nOK\r\n".encode(),
                          f"\r\n{two_spec.imsi}\r\n\r\nOK\r\n".encode(),
                          f"\r\n+CCID: {two_spec.iccid}\r\n\r\nOK\r\n".encode(),
                          f'\r\n+CNUM: "","{two_spec.number}",145\r\n\r\nOK\r\n'.encode()]
    assert all(a != b for a, b in zip(answers[0], answers[1], strict=True))


def test_imsi(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CIMI\r")
    dte.expect(b"\r\n" + LINE1.imsi.encode() + b"\r\n\r\nOK\r\n")


def test_imsi_needs_the_pin(bench):
    dte = bench.line(pin_enabled=True)
    dte.setup()
    dte.write(b"AT+CIMI\r")
    dte.expect(b"\r\n+CME ERROR: 11\r\n")
    dte.ok('AT+CPIN="0000"')
    dte.write(b"AT+CIMI\r")
    dte.expect(b"\r\n" + LINE1.imsi.encode() + b"\r\n\r\nOK\r\n")


@pytest.mark.parametrize(("profile", "command", "prefix"), [
    ("generic", "AT+CCID", b"+CCID: "),
    ("quectel", "AT+QCCID", b"+QCCID: "),
    ("quectel", "AT+CCID", b"+CCID: "),
    ("huawei", "AT^ICCID?", b"^ICCID: "),
    ("sierra", "AT!ICCID?", b"!ICCID: "),
    ("simcom", "AT+CCID", b""),
    ("simcom", "AT+ICCID", b"+ICCID: "),
])
def test_iccid_and_vendor_forms(bench, profile, command, prefix):
    dte = bench.line(profile=profile)
    end = b"\r\r\n" if profile == "huawei" else b"\r\n"
    dte.setup()
    dte.read_for(0.05)  # boot and SIM URCs of chatty profiles
    dte.write(command.encode() + b"\r")
    dte.expect(end + prefix + LINE1.iccid.encode() + end + end + b"OK" + end)


def test_iccid_is_unknown_on_a_profile_that_lacks_the_vendor_form(bench):
    dte = bench.line()
    dte.setup("AT+CMEE=0")
    dte.write(b"AT+QCCID\r")
    dte.expect(b"\r\nERROR\r\n")


def test_own_number_when_the_sim_knows_it(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CNUM\r")
    dte.expect(b'\r\n+CNUM: "","+12015550101",145\r\n\r\nOK\r\n')


def test_own_number_when_the_sim_does_not_know_it(bench):
    dte = bench.line(number_on_sim=False)
    dte.setup()
    dte.write(b"AT+CNUM\r")
    dte.expect(b"\r\nOK\r\n")


@pytest.mark.parametrize(("profile", "lines"), [
    ("generic", [b"modemd", b"Emulated GSM Modem", b"Revision: EMU-1.0"]),
    ("quectel", [b"Quectel", b"EC25", b"Revision: EC25EFAR06A06M4G"]),
    ("simcom", [b"SIM800 R14.18"]),
    ("sierra", [b"Manufacturer: Sierra Wireless, Incorporated", b"Model: MC7455",
                b"Revision: SWI9X30C_02.24.05.06", b"IMEI: " + LINE1.imei.encode(),
                b"+GCAP: +CGSM"]),
    ("huawei", [b"Manufacturer: huawei", b"Model: E173", b"Revision: 11.126.85.00.209",
                b"IMEI: " + LINE1.imei.encode(), b"+GCAP: +CGSM,+DS,+ES"]),
])
def test_ati_per_profile(bench, profile, lines):
    dte = bench.line(profile=profile)
    end = b"\r\r\n" if profile == "huawei" else b"\r\n"
    dte.setup()
    dte.read_for(0.05)
    dte.write(b"ATI\r")
    dte.expect(end + end.join(lines) + end + end + b"OK" + end)
