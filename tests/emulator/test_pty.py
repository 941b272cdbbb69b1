"""The same modem on real ptys behind stable links, driven by pyserial like a USB tty."""

from __future__ import annotations

import os
import re
import time

import pytest
import serial

from modemd.sms import decode_from_sc, encode_submit

from .dte import wait_for

CMTI = re.compile(rb'\r\n\+CMTI: "(SM|ME)",(\d+)\r\n')


def test_link_points_at_the_pty(pty_bench, tmp_path):
    dte = pty_bench.line()
    link = tmp_path / "line1"
    assert link.is_symlink()
    assert os.readlink(link) == dte.describe()["tty"]
    assert dte.describe()["port"] == str(link)
    assert os.readlink(link).startswith("/dev/pts/")


def test_echo_and_ok_over_a_pty(pty_bench):
    dte = pty_bench.line()
    dte.write(b"AT\r")
    dte.expect(b"AT\r\r\nOK\r\n")
    dte.write(b"ATE0\r")
    dte.expect(b"ATE0\r\r\nOK\r\n")
    dte.write(b"AT+CGMI\r")
    dte.expect(b"\r\nmodemd\r\n\r\nOK\r\n")


def test_every_byte_passes_a_pty_unchanged(pty_bench):
    dte = pty_bench.line()
    data = bytes(range(256)) * 4
    pty_bench.rig.raw(dte.name, data)
    dte.expect(data)


def test_noise_over_a_pty(pty_bench):
    dte = pty_bench.line()
    dte.setup()
    noise = bytes.fromhex(pty_bench.rig.fault(dte.name, "noise")["noise"])
    dte.write(b"AT\r")
    dte.expect(noise + b"\r\nOK\r\n")


def test_send_and_receive_between_pty_lines(pty_bench):
    one, two = pty_bench.line(1), pty_bench.line(2)
    one.setup()
    two.setup()
    (part,) = encode_submit(two.number, "over the pty")
    one.write(f"AT+CMGS={part.tpdu_length}\r".encode())
    one.expect(b"\r\n> ")
    one.write(part.pdu.encode() + b"\x1a")
    one.expect(b"\r\n+CMGS: 1\r\n\r\nOK\r\n")
    two.expect(b'\r\n+CMTI: "SM",1\r\n')
    answer = two.command("AT+CMGR=1")
    pdu = re.fullmatch(rb"\r\n\+CMGR: 0,,\d+\r\n([0-9A-F]+)\r\n\r\nOK\r\n", answer).group(1)
    message = decode_from_sc(pdu.decode())
    assert (message.originator.number, message.text) == (one.number, "over the pty")


def test_esc_at_the_prompt_over_a_pty(pty_bench):
    dte = pty_bench.line()
    dte.setup()
    dte.write(b"AT+CMGS=12\r")
    dte.expect(b"\r\n> ")
    dte.write(b"0011\x1b")
    dte.expect(b"\r\nOK\r\n")


def test_large_output_arrives_whole_over_a_pty(pty_bench):
    dte = pty_bench.line()
    dte.setup('AT+CPMS="ME","ME","ME"')
    count = 60
    for n in range(count):
        pty_bench.rig.inject(dte.name, "+15551112222", f"{n:03d}" + "x" * 157)
    wait_for(lambda: len(pty_bench.rig.storage(dte.name)["ME"]) == count)
    dte.read_for(0.1)  # the +CMTIs
    answer = dte.command("AT+CMGL=4", timeout=5)
    assert len(answer) > 16_000  # more than a pty buffers at once
    pdus = re.findall(rb"\+CMGL: \d+,0,,\d+\r\n([0-9A-F]+)\r\n", answer)
    texts = [decode_from_sc(p.decode()).text for p in pdus]
    assert texts == [f"{n:03d}" + "x" * 157 for n in range(count)]


def test_unplug_and_replug_with_a_new_tty_name(pty_bench, tmp_path):
    dte = pty_bench.line()
    link = tmp_path / dte.name
    before = os.readlink(link)
    pty_bench.rig.unplug(dte.name)
    assert not link.exists() and not link.is_symlink()
    assert dte.describe()["plugged"] is False
    with pytest.raises(serial.SerialException):  # as when a USB tty vanishes
        dte.port.read(1)
    with pytest.raises(serial.SerialException):
        dte.port.write(b"AT\r")
    with pytest.raises((serial.SerialException, OSError)):
        serial.Serial(str(link))
    pty_bench.rig.replug(dte.name, rename=True)
    after = os.readlink(link)
    assert after != before and after == dte.describe()["tty"]
    again = pty_bench.open(dte.name)
    again.write(b"AT\r")
    again.expect(b"AT\r\r\nOK\r\n")


def test_replug_without_rename_keeps_the_link(pty_bench, tmp_path):
    dte = pty_bench.line()
    link = tmp_path / dte.name
    pty_bench.rig.unplug(dte.name)
    pty_bench.rig.replug(dte.name)
    assert os.readlink(link) == dte.describe()["tty"]
    again = pty_bench.open(dte.name)
    again.write(b"AT\r")
    again.expect(b"AT\r\r\nOK\r\n")


def test_unplug_for_seconds_over_a_pty(pty_bench, tmp_path):
    dte = pty_bench.line()
    link = tmp_path / dte.name
    pty_bench.rig.unplug(dte.name, seconds=0.3, rename=True)
    started = time.monotonic()
    assert not link.exists()
    wait_for(link.exists, 2, "the link to come back")
    assert time.monotonic() - started >= 0.25
    again = pty_bench.open(dte.name)
    again.write(b"AT\r")
    again.expect(b"AT\r\r\nOK\r\n")


def test_a_replug_is_reported_only_once_the_port_can_be_opened(pty_bench, tmp_path):
    """Whoever waits for `plugged` in the line's description (as tests and scripts do
    after `unplug --seconds`) can open the link the moment it says so."""
    dte = pty_bench.line()
    link = tmp_path / dte.name
    missing = 0
    for _ in range(20):
        pty_bench.rig.unplug(dte.name, seconds=0.02, rename=True)
        wait_for(lambda: not link.exists(), 2, "the unplug")
        while not dte.describe()["plugged"]:
            pass  # as tight as a waiting script can look
        missing += not link.exists()
    assert missing == 0, f"{missing} of 20 replugs said plugged before the link was there"


def test_hang_over_a_pty(pty_bench):
    dte = pty_bench.line()
    pty_bench.rig.fault(dte.name, "hang")
    dte.write(b"AT\r")
    dte.silent(0.15)
    pty_bench.rig.fault(dte.name, "clear")
    dte.write(b"AT\r")
    dte.expect(b"AT\r\r\nOK\r\n")


def test_split_pdu_over_a_pty(pty_bench):
    dte = pty_bench.line()
    dte.setup("AT+CNMI=2,2,0,0,0")
    pty_bench.rig.set_timing(dte.name, split_pdu=True)
    pty_bench.rig.inject(dte.name, "+15551112222", "split on a pty")
    header = dte.read_until(re.compile(rb"\r\n\+CMT: ,\d+\r\n"))
    pdu = dte.read_until(b"\r\n")
    assert int(header.split(b",")[1]) == len(pdu[:-2]) // 2 - 1 - int(pdu[:2], 16)
    assert decode_from_sc(pdu[:-2].decode()).text == "split on a pty"
