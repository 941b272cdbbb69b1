"""Signal, registration, operator and functionality; the CFUN=1,1 reboot."""

from __future__ import annotations

import os
import time

import pytest
import serial

from modemd.sms import encode_submit

from .dte import wait_for


def test_csq(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CSQ\r")
    dte.expect(b"\r\n+CSQ: 20,0\r\n\r\nOK\r\n")
    bench.rig.set_signal(dte.name, 7)
    dte.write(b"AT+CSQ\r")
    dte.expect(b"\r\n+CSQ: 7,0\r\n\r\nOK\r\n")
    dte.write(b"AT+CSQ=?\r")
    dte.expect(b"\r\n+CSQ: (0-31,99),(0-7,99)\r\n\r\nOK\r\n")


def test_csq_without_service_is_unknown(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.fault(dte.name, "no-network")
    dte.write(b"AT+CSQ\r")
    dte.expect(b"\r\n+CSQ: 99,99\r\n\r\nOK\r\n")


def test_creg_read_forms(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CREG?\r")
    dte.expect(b"\r\n+CREG: 0,1\r\n\r\nOK\r\n")
    dte.ok("AT+CREG=2")
    dte.write(b"AT+CREG?\r")
    dte.expect(b'\r\n+CREG: 2,1,"00A1","0000B2C3"\r\n\r\nOK\r\n')
    dte.write(b"AT+CREG=?\r")
    dte.expect(b"\r\n+CREG: (0-2)\r\n\r\nOK\r\n")
    dte.write(b"AT+CGREG?\r")
    dte.expect(b"\r\n+CGREG: 0,1\r\n\r\nOK\r\n")


def test_creg_1_urcs_follow_registration_changes(bench):
    dte = bench.line()
    dte.setup("AT+CREG=1")
    dte.silent(0.1)
    bench.rig.fault(dte.name, "no-network")
    dte.expect(b"\r\n+CREG: 2\r\n")
    dte.write(b"AT+CREG?\r")
    dte.expect(b"\r\n+CREG: 1,2\r\n\r\nOK\r\n")
    bench.rig.fault(dte.name, "clear")
    dte.expect(b"\r\n+CREG: 1\r\n")
    bench.rig.fault(dte.name, "no-network", state=3)
    dte.expect(b"\r\n+CREG: 3\r\n")
    dte.silent(0.1)


def test_creg_2_urcs_carry_the_cell(bench):
    dte = bench.line()
    dte.setup("AT+CREG=2", "AT+CGREG=1")
    bench.rig.fault(dte.name, "no-network", state=0)
    dte.expect(b"\r\n+CREG: 0\r\n\r\n+CGREG: 0\r\n")
    bench.rig.fault(dte.name, "clear")
    dte.expect(b'\r\n+CREG: 1,"00A1","0000B2C3"\r\n\r\n+CGREG: 1\r\n')


def test_creg_0_sends_no_urcs(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.fault(dte.name, "no-network")
    bench.rig.fault(dte.name, "clear")
    dte.silent(0.15)


def test_cops_read_in_each_format(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+COPS?\r")
    dte.expect(b'\r\n+COPS: 0,0,"modemd Emulated Network",2\r\n\r\nOK\r\n')
    dte.ok("AT+COPS=3,1")
    dte.write(b"AT+COPS?\r")
    dte.expect(b'\r\n+COPS: 0,1,"EMU",2\r\n\r\nOK\r\n')
    dte.ok("AT+COPS=3,2")
    dte.write(b"AT+COPS?\r")
    dte.expect(b'\r\n+COPS: 0,2,"00101",2\r\n\r\nOK\r\n')
    dte.write(b"AT+COPS=?\r")
    dte.expect(b'\r\n+COPS: (2,"modemd Emulated Network","EMU","00101",2),,(0-4),(0-2)\r\n'
               b"\r\nOK\r\n")


def test_cops_without_service_has_no_operator(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.fault(dte.name, "no-network")
    dte.write(b"AT+COPS?\r")
    dte.expect(b"\r\n+COPS: 0\r\n\r\nOK\r\n")


def test_cops_2_deregisters_and_0_registers_again(bench):
    dte = bench.line()
    dte.setup()
    dte.ok("AT+COPS=2")
    assert dte.describe()["registration"] == 2
    dte.ok("AT+COPS=0")
    dte.wait_registered()


def test_cfun_read_and_test(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CFUN?\r")
    dte.expect(b"\r\n+CFUN: 1\r\n\r\nOK\r\n")
    dte.write(b"AT+CFUN=?\r")
    dte.expect(b"\r\n+CFUN: (0,1,4),(0,1)\r\n\r\nOK\r\n")


def test_huawei_cfun_test_uses_range_syntax(bench):
    dte = bench.line(profile="huawei")
    dte.setup()
    dte.read_for(0.05)
    dte.write(b"AT+CFUN=?\r")
    dte.expect(b"\r\r\n+CFUN: (0-1,4-7),(0-1)\r\r\n\r\r\nOK\r\r\n")


def test_cfun_0_deregisters_and_sends_fail_with_331(bench):
    dte = bench.line()
    dte.setup()
    dte.ok("AT+CFUN=0")
    dte.write(b"AT+CFUN?\r")
    dte.expect(b"\r\n+CFUN: 0\r\n\r\nOK\r\n")
    dte.write(b"AT+CREG?\r")
    dte.expect(b"\r\n+CREG: 0,0\r\n\r\nOK\r\n")
    dte.write(b"AT+CSQ\r")
    dte.expect(b"\r\n+CSQ: 99,99\r\n\r\nOK\r\n")
    part = encode_submit("+15557654321", "hello")[0]
    assert dte.send_pdu(part) == b"\r\n+CMS ERROR: 331\r\n"
    assert bench.rig.submitted(dte.name) == []
    dte.ok("AT+CFUN=1")
    dte.wait_registered()
    assert dte.send_pdu(part) == b"\r\n+CMGS: 1\r\n\r\nOK\r\n"


def test_cfun_0_creg_urc_follows_the_ok(bench):
    dte = bench.line()
    dte.setup("AT+CREG=1")
    dte.write(b"AT+CFUN=0\r")
    dte.expect(b"\r\nOK\r\n\r\n+CREG: 0\r\n")


def test_cfun_rejects_bad_levels(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CFUN=9\r")
    dte.expect(b"\r\n+CME ERROR: 50\r\n")


def _gone(dte) -> bool:
    try:
        dte.port.read(1)
    except serial.SerialException:
        return True
    return False


def test_cfun_1_1_reboots_the_in_memory_port(bench):
    dte = bench.line()
    dte.setup()
    reboot_seconds = 1.0  # generic profile
    dte.write(b"AT+CFUN=1,1\r")
    dte.expect(b"\r\nOK\r\n")
    started = time.monotonic()
    wait_for(lambda: _gone(dte), 2, "the port to go away")
    assert not dte.describe()["plugged"]
    with pytest.raises(serial.SerialException):
        serial.serial_for_url(f"fakemodem://{dte.name}")
    wait_for(lambda: dte.describe()["plugged"], 3, "the port to come back")
    assert time.monotonic() - started >= reboot_seconds - 0.1
    with pytest.raises(serial.SerialException):
        dte.port.read(1)  # the old handle belongs to the old life of the port
    again = bench.open(dte.name)
    again.write(b"AT\r")
    again.expect(b"AT\r\r\nOK\r\n")  # settings are back to defaults: echo on
    again.wait_registered()


def test_cfun_1_1_reboots_the_pty(pty_bench, tmp_path):
    dte = pty_bench.line()
    link = tmp_path / dte.name
    assert os.readlink(link) == dte.describe()["tty"]
    dte.setup()
    dte.write(b"AT+CFUN=1,1\r")
    dte.expect(b"\r\nOK\r\n")
    wait_for(lambda: not link.exists(), 2, "the link to disappear")
    with pytest.raises(serial.SerialException):  # the tty vanished under the reader
        dte.port.read(1)
    wait_for(lambda: link.is_symlink() and dte.describe()["plugged"], 3, "the link to return")
    assert os.readlink(link).startswith("/dev/pts/")
    assert os.readlink(link) == dte.describe()["tty"]
    again = pty_bench.open(dte.name)
    again.write(b"AT\r")
    again.expect(b"AT\r\r\nOK\r\n")
