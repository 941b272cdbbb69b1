"""Faults a tester switches on: hang, slow, cms, no-network, noise, no-sim, unplug/replug."""

from __future__ import annotations

import time

import pytest
import serial

from modemd.sms import encode_submit

from .dte import ESC, wait_for

OUTSIDE = "+15557654321"


def _part(text: str = "hello"):
    (part,) = encode_submit(OUTSIDE, text)
    return part


def test_hang_answers_nothing_until_cleared(bench):
    dte = bench.line()
    bench.rig.fault(dte.name, "hang")
    dte.write(b"AT\r")
    dte.silent(0.15)  # not even the echo
    bench.rig.urc(dte.name, "+LOST: 1")
    bench.rig.inject(dte.name, "+15551112222", "while hung")
    dte.silent(0.15)
    assert bench.rig.fault(dte.name, "clear")["hang"] is False
    dte.write(b"AT\r")
    dte.expect(b"AT\r\r\nOK\r\n")  # what was typed while hung is gone


def test_hang_for_seconds_ends_by_itself(bench):
    dte = bench.line()
    bench.rig.fault(dte.name, "hang", seconds=0.3)
    dte.write(b"AT\r")
    dte.silent(0.15)
    started = time.monotonic()

    def answers() -> bool:
        dte.write(b"AT\r")
        return dte.read_for(0.05) == b"AT\r\r\nOK\r\n"

    wait_for(answers, 2, "the hang to end")
    assert time.monotonic() - started >= 0.1


def test_hang_wakes_on_esc(bench):
    dte = bench.line()
    bench.rig.fault(dte.name, "hang", wake_on_esc=True)
    dte.write(b"AT\r")
    dte.silent(0.15)
    dte.write(ESC)
    dte.silent(0.1)
    dte.write(b"AT\r")
    dte.expect(b"AT\r\r\nOK\r\n")


def test_hang_without_wake_on_esc_ignores_esc(bench):
    dte = bench.line()
    bench.rig.fault(dte.name, "hang")
    dte.write(ESC + b"AT\r")
    dte.silent(0.15)


def test_slow_answer_and_nothing_of_the_next_command_before_it(bench):
    dte = bench.line()
    delay = 0.25
    bench.rig.fault(dte.name, "slow", seconds=delay)
    dte.write(b"AT+CSQ\r")
    dte.expect(b"AT+CSQ\r", timeout=0.2)  # the command's own echo is immediate
    started = time.monotonic()
    dte.write(b"AT+CGMI\r")  # typed while the modem is still busy
    dte.expect(b"\r\n+CSQ: 20,0\r\n\r\nOK\r\n", timeout=2)
    first = time.monotonic() - started
    assert first >= delay - 0.05, first
    dte.expect(b"AT+CGMI\r", timeout=0.2)  # only now is the next line read and echoed
    dte.expect(b"\r\nmodemd\r\n\r\nOK\r\n", timeout=2)
    second = time.monotonic() - started
    assert second >= 2 * delay - 0.05, second


def test_slow_answer_never_comes_early(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.fault(dte.name, "slow", seconds=0.3)
    started = time.monotonic()
    dte.write(b"AT\r")
    dte.silent(0.2)
    dte.expect(b"\r\nOK\r\n", timeout=1)
    assert time.monotonic() - started >= 0.25


def test_cms_fault_fails_the_next_n_sends(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.fault(dte.name, "cms", code=42, count=2)
    assert dte.send_pdu(_part()) == b"\r\n+CMS ERROR: 42\r\n"
    assert dte.send_pdu(_part()) == b"\r\n+CMS ERROR: 42\r\n"
    assert dte.send_pdu(_part()) == b"\r\n+CMGS: 1\r\n\r\nOK\r\n"
    assert [r["mr"] for r in bench.rig.submitted(dte.name)] == [1]


def test_cms_fault_with_cmee_0_is_plain_error(bench):
    dte = bench.line()
    dte.setup("AT+CMEE=0")
    bench.rig.fault(dte.name, "cms", code=500)
    assert dte.send_pdu(_part()) == b"\r\nERROR\r\n"


def test_cms_fault_with_cmee_2_is_verbose(bench):
    dte = bench.line()
    dte.setup("AT+CMEE=2")
    bench.rig.fault(dte.name, "cms", code=332)
    assert dte.send_pdu(_part()) == b"\r\n+CMS ERROR: network timeout\r\n"


def test_cms_fault_applies_to_text_mode_and_cmss(bench):
    dte = bench.line()
    dte.setup("AT+CMGF=1")
    bench.rig.fault(dte.name, "cms", code=38, count=2)
    dte.write(b'AT+CMGS="+15557654321"\r')
    dte.expect(b"\r\n> ")
    dte.write(b"text\x1a")
    dte.expect(b"\r\n+CMS ERROR: 38\r\n")
    dte.ok("AT+CMGF=0")
    part = _part()
    dte.write(f"AT+CMGW={part.tpdu_length}\r".encode())
    dte.expect(b"\r\n> ")
    dte.write(part.pdu.encode() + b"\x1a")
    dte.expect(b"\r\n+CMGW: 1\r\n\r\nOK\r\n")
    dte.write(b"AT+CMSS=1\r")
    dte.expect(b"\r\n+CMS ERROR: 38\r\n")
    dte.write(b"AT+CMSS=1\r")
    dte.expect(b"\r\n+CMSS: 1\r\n\r\nOK\r\n")


def test_no_network_fault(bench):
    dte = bench.line()
    dte.setup("AT+CREG=1")
    bench.rig.fault(dte.name, "no-network")
    dte.expect(b"\r\n+CREG: 2\r\n")
    dte.write(b"AT+CREG?\r")
    dte.expect(b"\r\n+CREG: 1,2\r\n\r\nOK\r\n")
    assert dte.send_pdu(_part()) == b"\r\n+CMS ERROR: 331\r\n"
    bench.rig.inject(dte.name, "+15551112222", "held by the network")
    wait_for(lambda: dte.describe()["held"] == 1, what="the message held")
    dte.silent(0.15)
    assert bench.rig.storage(dte.name)["SM"] == []
    bench.rig.fault(dte.name, "clear")
    dte.expect(b'\r\n+CREG: 1\r\n\r\n+CMTI: "SM",1\r\n')
    assert dte.send_pdu(_part()) == b"\r\n+CMGS: 1\r\n\r\nOK\r\n"


def test_no_network_denied_state(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.fault(dte.name, "no-network", state=3)
    dte.write(b"AT+CREG?\r")
    dte.expect(b"\r\n+CREG: 0,3\r\n\r\nOK\r\n")
    with pytest.raises(Exception, match="state"):
        bench.rig.fault(dte.name, "no-network", state=1)


def test_noise_prefixes_the_next_answer(bench):
    dte = bench.line()
    dte.setup()
    noise = bytes.fromhex(bench.rig.fault(dte.name, "noise")["noise"])
    assert any(b >= 0x80 for b in noise)  # not valid ASCII, not valid UTF-8
    dte.write(b"AT+CSQ\r")
    dte.expect(noise + b"\r\n+CSQ: 20,0\r\n\r\nOK\r\n")
    dte.write(b"AT\r")
    dte.expect(b"\r\nOK\r\n")  # count=1: only one answer was noisy


def test_noise_for_several_answers(bench):
    dte = bench.line()
    dte.setup()
    noise = bytes.fromhex(bench.rig.fault(dte.name, "noise", count=2)["noise"])
    for _ in range(2):
        dte.write(b"AT\r")
        dte.expect(noise + b"\r\nOK\r\n")
    dte.write(b"AT\r")
    dte.expect(b"\r\nOK\r\n")


def test_no_sim_fault(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.fault(dte.name, "no-sim")
    dte.write(b"AT+CPIN?\r")
    dte.expect(b"\r\n+CME ERROR: 10\r\n")
    dte.write(b"AT+CCID\r")
    dte.expect(b"\r\n+CME ERROR: 10\r\n")
    dte.write(b"AT+CIMI\r")
    dte.expect(b"\r\n+CME ERROR: 10\r\n")
    dte.write(b"AT+CPMS?\r")
    dte.expect(b"\r\n+CMS ERROR: 310\r\n")
    dte.write(b"AT+CREG?\r")
    dte.expect(b"\r\n+CREG: 0,0\r\n\r\nOK\r\n")
    assert dte.describe()["sim"] == "ABSENT"
    bench.rig.fault(dte.name, "clear")
    dte.write(b"AT+CPIN?\r")
    dte.expect(b"\r\n+CPIN: READY\r\n\r\nOK\r\n")
    dte.wait_registered()


def test_unplug_and_replug_in_memory(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.unplug(dte.name)
    with pytest.raises(serial.SerialException):
        dte.port.read(1)
    with pytest.raises(serial.SerialException):
        dte.port.write(b"AT\r")
    with pytest.raises(serial.SerialException):
        serial.serial_for_url(f"fakemodem://{dte.name}")
    assert dte.describe()["plugged"] is False
    bench.rig.replug(dte.name)
    with pytest.raises(serial.SerialException):
        dte.port.read(1)  # the old handle stays dead
    again = bench.open(dte.name)
    again.write(b"AT\r")
    again.expect(b"AT\r\r\nOK\r\n")  # a fresh power-on: echo is back on


def test_unplug_for_seconds(bench):
    dte = bench.line()
    bench.rig.unplug(dte.name, seconds=0.3)
    started = time.monotonic()
    assert dte.describe()["plugged"] is False
    wait_for(lambda: dte.describe()["plugged"], 2, "the replug")
    assert time.monotonic() - started >= 0.25
    again = bench.open(dte.name)
    again.write(b"AT\r")
    again.expect(b"AT\r\r\nOK\r\n")


def test_storage_survives_a_replug(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.inject(dte.name, "+15551112222", "kept on the SIM")
    dte.expect(b'\r\n+CMTI: "SM",1\r\n')
    bench.rig.unplug(dte.name)
    bench.rig.replug(dte.name)
    again = bench.open(dte.name)
    again.setup()
    again.write(b"AT+CPMS?\r")
    again.expect(b'\r\n+CPMS: "SM",1,30,"SM",1,30,"SM",1,30\r\n\r\nOK\r\n')


def test_inbound_while_unplugged_waits_for_the_replug(bench):
    dte = bench.line()
    bench.rig.unplug(dte.name)
    bench.rig.inject(dte.name, "+15551112222", "while away")
    wait_for(lambda: dte.describe()["held"] == 1)
    bench.rig.replug(dte.name)
    again = bench.open(dte.name)
    again.wait_registered()
    again.read_until(b'\r\n+CMTI: "SM",1\r\n')
    assert dte.describe()["held"] == 0


def test_hang_for_seconds_keeps_the_other_faults(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.fault(dte.name, "no-network")
    bench.rig.fault(dte.name, "cms", code=42, count=3)
    bench.rig.fault(dte.name, "hang", seconds=0.2)

    def answers() -> bool:
        dte.write(b"AT\r")
        return dte.read_for(0.05) == b"\r\nOK\r\n"

    wait_for(answers, 2, "the hang to end")
    dte.write(b"AT+CREG?\r")
    dte.expect(b"\r\n+CREG: 0,2\r\n\r\nOK\r\n", timeout=0.5)
