"""`modemd emulator` as a tester uses it: a real process, ptys, and the control commands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import serial


def modemd(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "modemd", *args], check=False,
                            capture_output=True,
                            text=True, timeout=30)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def emulator(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "modemd", "emulator", "--dir", str(tmp_path), "--lines", "2",
         "--profile", "quectel", "--profile", "huawei", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    announced = json.loads(process.stdout.readline())
    yield tmp_path, announced
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0, process.stderr.read()
    assert not (tmp_path / "line1").exists(), "links are removed on exit"


def command(port: serial.Serial, text: str) -> bytes:
    port.reset_input_buffer()
    port.write(text.encode() + b"\r")
    deadline, data = time.monotonic() + 5, b""
    while time.monotonic() < deadline and not data.rstrip().endswith((b"OK", b"ERROR")):
        data += port.read(port.in_waiting or 1)
    return data


def test_lines_are_announced_with_stable_links(emulator):
    directory, announced = emulator
    lines = announced["lines"]
    assert [(x["name"], x["profile"]) for x in lines] == [("line1", "quectel"),
                                                          ("line2", "huawei")]
    for line in lines:
        assert os.readlink(directory / line["name"]) == line["tty"]
    listed = json.loads(modemd("emulator", "--dir", str(directory), "lines", "--json").stdout)
    assert [x["number"] for x in listed] == ["+12015550101", "+12015550102"]


def test_injected_text_reaches_the_sim_and_a_fault_reaches_the_wire(emulator):
    directory, _ = emulator
    base = ("emulator", "--dir", str(directory))
    out = modemd(*base, "inject", "line1", "--from", "ACME", "x" * 200).stdout
    assert out.startswith("2 part(s), delivered [1, 2]")
    stored = json.loads(modemd(*base, "storage", "line1").stdout)
    assert len(stored["SM"]) == 2
    with serial.Serial(str(directory / "line1"), timeout=0.1) as port:
        assert command(port, "AT").endswith(b"OK\r\n")
        modemd(*base, "fault", "line1", "noise", "--count", "1")
        assert b"\xff\xfe" in command(port, "AT")
    transcript = json.loads(modemd(*base, "transcript", "line1", "--json").stdout)
    assert {"rx", "tx"} <= {entry["dir"] for entry in transcript}


def test_unplug_removes_the_link_and_replug_restores_it(emulator):
    directory, _ = emulator
    base = ("emulator", "--dir", str(directory))
    before = os.readlink(directory / "line2")
    modemd(*base, "unplug", "line2")
    assert not (directory / "line2").exists()
    modemd(*base, "replug", "line2", "--rename")
    after = os.readlink(directory / "line2")
    assert after != before
    with serial.Serial(str(directory / "line2"), timeout=0.1) as port:
        assert command(port, "AT").endswith(b"OK\r\r\n")  # huawei line ends


def test_control_errors_exit_1_with_a_reason(emulator):
    directory, _ = emulator
    result = modemd("emulator", "--dir", str(directory), "fault", "line9", "hang", check=False)
    assert result.returncode == 1
    assert "no emulated line 'line9'" in result.stderr


def test_second_emulator_on_the_same_dir_is_refused(emulator):
    directory, _ = emulator
    result = modemd("emulator", "--dir", str(directory), check=False)
    assert result.returncode == 1
    assert "already running" in result.stderr


def test_parts_capacity_reboot_and_the_records_from_the_command_line(emulator):
    directory, _ = emulator
    base = ("emulator", "--dir", str(directory))
    text = "A long message in three parts for the emulator command line. " * 6
    out = modemd(*base, "inject", "line1", text, "--from", "+14155550100", "--parts", "3,1,1")
    assert "3 part(s), delivered [3, 1, 1]" in out.stdout
    received = json.loads(modemd(*base, "received", "line1", "--json").stdout)
    assert [r["kind"] for r in received] == ["deliver"] * 3
    assert received[1]["pdu"] == received[2]["pdu"]  # the repeat is the same PDU again
    bad = modemd(*base, "inject", "line1", "x", "--from", "+1", "--parts", "one", check=False)
    assert bad.returncode == 2 and "part numbers separated by commas" in bad.stderr

    resized = json.loads(modemd(*base, "capacity", "line1", "SM", "5").stdout)
    assert resized == {"memory": "SM", "used": 3, "capacity": 5}
    assert json.loads(modemd(*base, "refused", "line1", "--json").stdout) == []
    modemd(*base, "reboot", "line1", "--seconds", "3")
    deadline = time.monotonic() + 2  # the OK goes out first; the port drops 50 ms later
    while os.path.exists(directory / "line1"):
        assert time.monotonic() < deadline, "line1 never went away for the reboot"
        time.sleep(0.01)
    deadline = time.monotonic() + 10
    while not os.path.exists(directory / "line1"):  # ... and came back
        assert time.monotonic() < deadline, "line1 never came back after the reboot"
        time.sleep(0.05)
