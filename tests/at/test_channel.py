"""AtChannel behaviours beyond the GsmModem failure list: quirks, bad input, leftovers."""

from __future__ import annotations

import time

import pytest

from modemd.at import AtChannel, CmeError
from modemd.emulator.rig import Rig
from modemd.emulator.spec import LineSpec
from modemd.errors import InvalidInputError
from modemd.transport import SerialTransport

from .conftest import LINE
from .helpers import ScriptedModem, cmgs, part
from .test_failure_modes import received_commands, synced


def test_expected_line_without_final_ok_is_an_answer(memory_rig: Rig, connect) -> None:
    memory_rig.add_line(LineSpec.numbered(2, profile="wavecom"))  # +CPIN: READY, no OK
    channel = synced(connect(memory_rig, "line2"))
    lines = channel.command("AT+CPIN?", expect="+CPIN", final_optional=True, timeout=2)
    assert lines == ["+CPIN: READY"]
    assert channel.command("AT+CGSN") == [memory_rig.describe("line2")["imei"]]


def test_an_error_ends_a_final_optional_wait_at_once(memory_rig: Rig, connect) -> None:
    channel = synced(connect(memory_rig))
    memory_rig.fault(LINE, "no-sim")
    start = time.monotonic()
    with pytest.raises(CmeError) as raised:
        channel.command("AT+CPIN?", expect="+CPIN", final_optional=True, timeout=3)
    assert raised.value.code == 10 and time.monotonic() - start < 1


def test_final_optional_still_takes_a_normal_ok(memory_rig: Rig, connect) -> None:
    channel = synced(connect(memory_rig))
    lines = channel.command("AT+CPIN?", expect="+CPIN", final_optional=True)
    assert lines == ["+CPIN: READY"]
    assert channel.command("AT") == []  # its OK did not reach this command


def test_text_that_is_not_latin1_is_refused_and_the_channel_goes_on(
        memory_rig: Rig, connect) -> None:
    channel = synced(connect(memory_rig))
    with pytest.raises(InvalidInputError):
        channel.command('AT+CPBF="日本"')
    with pytest.raises(InvalidInputError):
        channel.command_with_prompt("AT+CMGS=5", "😀")
    assert channel.command("AT") == []
    assert "AT+CMGS=5" not in received_commands(memory_rig)  # nothing half-sent


def test_a_modem_left_at_the_prompt_is_cancelled_on_open(rig: Rig, connect) -> None:
    leftover = SerialTransport(rig.port_path(LINE))  # a previous process died mid-send
    leftover.open()
    leftover.write(f"{cmgs(part())}\r".encode())
    time.sleep(0.1)
    leftover.close()
    channel = connect(rig)
    assert channel.command("AT+CGSN") == [rig.describe(LINE)["imei"]]
    pdu = part("after a crash")
    assert channel.command_with_prompt(cmgs(pdu), pdu.pdu) == ["+CMGS: 1"]
    assert [s["text"] for s in rig.submitted(LINE)] == ["after a crash"]


def test_echo_on_or_off_gives_the_same_answers(memory_rig: Rig, connect) -> None:
    channel = connect(memory_rig)  # the modem starts with echo on
    imei = memory_rig.describe(LINE)["imei"]
    assert channel.command("AT+CGSN") == [imei]
    pdu = part("echoed")
    assert channel.command_with_prompt(cmgs(pdu), pdu.pdu) == ["+CMGS: 1"]
    channel.command("ATE0")
    assert channel.command("AT+CGSN") == [imei]


def test_a_modem_refusing_s_register_reads_is_synced_with_plain_at() -> None:
    modem = ScriptedModem({b"ATS3?\r": b"\r\nERROR\r\n", b"AT\r": b"\r\nOK\r\n",
                           b"AT+CGSN\r": b"\r\n123\r\n\r\nOK\r\n"})
    channel = AtChannel(modem, name="scripted")  # type: ignore[arg-type]
    channel.open()
    try:
        assert channel.command("AT+CGSN") == ["123"]
    finally:
        channel.close()
    assert modem.written == [b"\x1b", b"ATS3?\r", b"AT\r", b"AT+CGSN\r"]


def test_a_command_interrupted_by_an_exception_does_not_wedge_the_channel(
        memory_rig: Rig, connect) -> None:
    channel = synced(connect(memory_rig))

    class Interrupted(BaseException):
        pass

    write = channel.transport.write

    def write_then_interrupt(data: bytes) -> None:
        write(data)
        if data == b"AT+CSQ\r":
            raise Interrupted  # e.g. KeyboardInterrupt after the bytes went out

    channel.transport.write = write_then_interrupt  # type: ignore[method-assign]
    with pytest.raises(Interrupted):
        channel.command("AT+CSQ", expect="+CSQ")
    channel.transport.write = write  # type: ignore[method-assign]
    assert channel.command("AT+CGSN") == [memory_rig.describe(LINE)["imei"]]
