"""The rig itself: URL-created lines, overlong command lines, closing."""

from __future__ import annotations

import time

import pytest

from modemd.emulator import inprocess
from modemd.emulator.rig import Rig
from modemd.emulator.spec import LineSpec
from modemd.errors import InvalidInputError


def test_a_url_creates_a_line_with_its_options(bench):
    dte = bench.open("extra", "profile=quectel&pin_enabled=1")
    info = bench.rig.describe("extra")
    assert info["profile"] == "quectel" and info["sim"] == "SIM PIN"
    dte.expect(b"\r\nRDY\r\n")
    dte.write(b"AT+CPIN?\r")
    dte.expect(b"AT+CPIN?\r\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n")


def test_a_url_with_an_unknown_option_is_refused(bench):
    with pytest.raises(InvalidInputError, match="bogus"):
        bench.open("x", "bogus=1")


def test_a_pty_rig_cannot_serve_urls(tmp_path):
    rig = Rig(directory=tmp_path)
    try:
        with pytest.raises(InvalidInputError):
            inprocess.install(rig)
    finally:
        rig.close()


def test_duplicate_line_names_are_refused(bench):
    bench.add(1)
    with pytest.raises(InvalidInputError):
        bench.add(1)


def test_a_url_line_never_reuses_an_existing_identity(bench):
    bench.line(2)
    bench.open("extra")
    numbers = [line["number"] for line in bench.rig.lines()]
    imeis = [line["imei"] for line in bench.rig.lines()]
    assert len(set(numbers)) == len(numbers) and len(set(imeis)) == len(imeis), numbers


def test_a_line_at_the_length_limit_runs(bench):
    dte = bench.line()
    dte.setup()
    line = b"AT+CGMI" + b" " * (2048 - len(b"AT+CGMI"))
    dte.write(line + b"\r")
    dte.expect(b"\r\nmodemd\r\n\r\nOK\r\n")


def test_an_overlong_line_is_refused_not_truncated(bench):
    dte = bench.line()
    dte.write(b"ATE0" + b" " * 3000 + b"\r")
    answer = dte.read_for(0.1)
    assert answer.endswith(b"\r\nERROR\r\n"), answer[-20:]
    dte.write(b"AT\r")
    dte.expect(b"AT\r\r\nOK\r\n", timeout=0.5)  # E0 must not have run


def test_close_cancels_a_pending_replug():
    rig = Rig()
    rig.add_line(LineSpec.numbered(1))
    rig.unplug("line1", seconds=0.15)
    rig.close()
    time.sleep(0.3)
    assert rig.describe("line1")["plugged"] is False


def test_closing_twice_is_harmless(tmp_path):
    rig = Rig(directory=tmp_path)
    rig.add_line(LineSpec.numbered(1))
    rig.close()
    rig.close()
