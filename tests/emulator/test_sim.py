"""PIN, PUK and the tries counters, byte for byte."""

from __future__ import annotations

import pytest

from .dte import wait_for


def test_pin_enabled_line_starts_in_sim_pin(bench):
    dte = bench.line(pin_enabled=True)
    dte.setup()
    dte.write(b"AT+CPIN?\r")
    dte.expect(b"\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n")
    assert dte.describe()["sim"] == "SIM PIN"
    assert dte.describe()["registration"] == 0


@pytest.mark.parametrize("command", ["AT+CPMS?", "AT+CMGL=4", "AT+CMGR=1", "AT+CMGS=20",
                                     "AT+CMGD=1", "AT+CSCA?"])
def test_sms_commands_need_the_pin(bench, command):
    dte = bench.line(pin_enabled=True)
    dte.setup()
    dte.write(command.encode() + b"\r")
    dte.expect(b"\r\n+CMS ERROR: 311\r\n")


def test_sms_error_text_with_cmee_2(bench):
    dte = bench.line(pin_enabled=True)
    dte.setup("AT+CMEE=2")
    dte.write(b"AT+CPMS?\r")
    dte.expect(b"\r\n+CMS ERROR: SIM PIN required\r\n")
    dte.write(b"AT+CIMI\r")
    dte.expect(b"\r\n+CME ERROR: SIM PIN required\r\n")


def test_wrong_pin_counts_down_the_tries(bench):
    dte = bench.line(pin_enabled=True)
    dte.setup()
    dte.write(b"AT+CPINR\r")
    dte.expect(b"\r\n+CPINR: SIM PIN,3,3\r\n+CPINR: SIM PUK,10,10\r\n\r\nOK\r\n")
    dte.write(b'AT+CPIN="9999"\r')
    dte.expect(b"\r\n+CME ERROR: 16\r\n")
    dte.write(b"AT+CPINR\r")
    dte.expect(b"\r\n+CPINR: SIM PIN,2,3\r\n+CPINR: SIM PUK,10,10\r\n\r\nOK\r\n")
    dte.write(b"AT+CPIN?\r")
    dte.expect(b"\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n")


def test_three_wrong_pins_ask_for_the_puk(bench):
    dte = bench.line(pin_enabled=True)
    dte.setup()
    for _ in range(3):
        dte.write(b"AT+CPIN=1111\r")
        dte.expect(b"\r\n+CME ERROR: 16\r\n")
    dte.write(b"AT+CPIN?\r")
    dte.expect(b"\r\n+CPIN: SIM PUK\r\n\r\nOK\r\n")
    dte.write(b"AT+CPINR\r")
    dte.expect(b"\r\n+CPINR: SIM PIN,0,3\r\n+CPINR: SIM PUK,10,10\r\n\r\nOK\r\n")
    dte.write(b'AT+CPIN="0000"\r')  # the right PIN no longer helps: a PUK is needed
    dte.expect(b"\r\n+CME ERROR: 12\r\n")
    dte.write(b"AT+CPMS?\r")
    dte.expect(b"\r\n+CMS ERROR: 316\r\n")


def test_puk_and_new_pin_make_the_sim_ready(bench):
    dte = bench.line(pin_enabled=True)
    dte.setup()
    for _ in range(3):
        dte.command("AT+CPIN=1111")
    dte.write(b'AT+CPIN="87654321","4321"\r')
    dte.expect(b"\r\n+CME ERROR: 16\r\n")
    dte.write(b"AT+CPINR\r")
    dte.expect(b"\r\n+CPINR: SIM PIN,0,3\r\n+CPINR: SIM PUK,9,10\r\n\r\nOK\r\n")
    dte.write(b'AT+CPIN="12345678","4321"\r')
    dte.expect(b"\r\nOK\r\n")
    dte.write(b"AT+CPIN?\r")
    dte.expect(b"\r\n+CPIN: READY\r\n\r\nOK\r\n")
    dte.write(b"AT+CPINR\r")
    dte.expect(b"\r\n+CPINR: SIM PIN,3,3\r\n+CPINR: SIM PUK,10,10\r\n\r\nOK\r\n")
    dte.wait_registered()
    # The new PIN is the PIN now: after a power cycle it unlocks the SIM.
    bench.rig.unplug(dte.name)
    bench.rig.replug(dte.name)
    dte = bench.open(dte.name)
    dte.setup()
    dte.write(b"AT+CPIN?\r")
    dte.expect(b"\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n")
    dte.write(b'AT+CPIN="4321"\r')
    dte.expect(b"\r\nOK\r\n")


def test_ten_wrong_puks_block_the_sim(bench):
    dte = bench.line(pin_enabled=True)
    dte.setup()
    for _ in range(3):
        dte.command("AT+CPIN=1111")
    for _ in range(10):
        dte.write(b'AT+CPIN="00000000","1234"\r')
        dte.expect(b"\r\n+CME ERROR: 16\r\n")
    assert dte.describe()["sim"] == "BLOCKED"
    dte.write(b'AT+CPIN="12345678","1234"\r')  # even the right PUK is too late
    dte.expect(b"\r\n+CME ERROR: 13\r\n")
    dte.write(b"AT+CPIN?\r")
    dte.expect(b"\r\n+CME ERROR: 13\r\n")
    dte.write(b"AT+CPMS?\r")
    dte.expect(b"\r\n+CMS ERROR: 313\r\n")


def test_pin_when_ready_is_not_allowed(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b'AT+CPIN="0000"\r')
    dte.expect(b"\r\n+CME ERROR: 3\r\n")


def test_correct_pin_then_registration_follows(bench):
    dte = bench.line(pin_enabled=True)
    dte.setup()
    dte.write(b"AT+CREG?\r")
    dte.expect(b"\r\n+CREG: 0,0\r\n\r\nOK\r\n")
    dte.ok('AT+CPIN="0000"')
    dte.wait_registered()
    dte.write(b"AT+CREG?\r")
    dte.expect(b"\r\n+CREG: 0,1\r\n\r\nOK\r\n")


def test_correct_pin_then_creg_urcs_report_registration(bench):
    dte = bench.line(pin_enabled=True)
    dte.setup("AT+CREG=1")
    answer = dte.command('AT+CPIN="0000"')
    assert answer.endswith(b"\r\nOK\r\n")
    rest = answer[: -len(b"\r\nOK\r\n")] + dte.read_until(b"\r\n+CREG: 1\r\n")
    assert rest.replace(b"\r\n+CREG: 2\r\n", b"", 1) == b"\r\n+CREG: 1\r\n"


def test_registration_urc_comes_after_the_ok_of_cpin(bench):
    dte = bench.line(pin_enabled=True)
    dte.setup("AT+CREG=1")
    dte.write(b'AT+CPIN="0000"\r')
    dte.expect(b"\r\nOK\r\n")
    dte.expect(b"\r\n+CREG: 2\r\n")
    dte.expect(b"\r\n+CREG: 1\r\n")


def test_wavecom_cpin_ready_has_no_ok(bench):
    dte = bench.line(profile="wavecom")
    dte.read_until(b"+WIND: 4\r\n")
    dte.setup()
    dte.write(b"AT+CPIN?\r")
    dte.expect(b"\r\n+CPIN: READY\r\n")
    dte.silent(0.15)
    dte.write(b"AT\r")
    dte.expect(b"\r\nOK\r\n")


def test_wavecom_cpin_other_states_keep_their_ok(bench):
    dte = bench.line(profile="wavecom", pin_enabled=True)
    dte.read_until(b"+WIND: 3\r\n")
    dte.setup()
    dte.write(b"AT+CPIN?\r")
    dte.expect(b"\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n")


def test_simcom_boot_urcs(bench):
    dte = bench.line(profile="simcom")
    dte.expect(b"\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n"
               b"\r\nSMS Ready\r\n")


def test_quectel_sms_done_after_pin(bench):
    dte = bench.line(profile="quectel", pin_enabled=True)
    dte.expect(b"\r\nRDY\r\n")
    dte.setup()
    dte.silent(0.1)  # nothing about the SIM until it is unlocked
    answer = dte.command('AT+CPIN="0000"')
    answer += dte.read_for(0.2)
    assert b"\r\n+CPIN: READY\r\n" in answer
    assert b"\r\n+QIND: SMS DONE\r\n" in answer
    assert answer.index(b"+CPIN: READY") < answer.index(b"+QIND: SMS DONE")


def test_quectel_sms_done_follows_the_ok(bench):
    dte = bench.line(profile="quectel", pin_enabled=True)
    dte.expect(b"\r\nRDY\r\n")
    dte.setup()
    dte.write(b'AT+CPIN="0000"\r')
    dte.expect(b"\r\nOK\r\n\r\n+CPIN: READY\r\n\r\n+QIND: SMS DONE\r\n")


def test_quectel_ready_sim_says_sms_done_at_boot(bench):
    dte = bench.line(profile="quectel")
    dte.expect(b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\n+QIND: SMS DONE\r\n")


def test_pin_lock_can_be_switched_with_clck(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b'AT+CLCK="SC",2\r')
    dte.expect(b"\r\n+CLCK: 0\r\n\r\nOK\r\n")
    dte.write(b'AT+CLCK="SC",1,"1111"\r')
    dte.expect(b"\r\n+CME ERROR: 16\r\n")
    dte.write(b'AT+CLCK="SC",1,"0000"\r')
    dte.expect(b"\r\nOK\r\n")
    dte.write(b'AT+CLCK="SC",2\r')
    dte.expect(b"\r\n+CLCK: 1\r\n\r\nOK\r\n")
    bench.rig.unplug(dte.name)
    bench.rig.replug(dte.name)
    dte = bench.open(dte.name)
    wait_for(lambda: dte.describe()["sim"] == "SIM PIN")
