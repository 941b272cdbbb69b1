"""Typed errors: the code and, for +CMS, the class modemd.at.cms gives it."""

from __future__ import annotations

import time

import pytest

from modemd.at import (
    AtTimeout,
    CmeError,
    CmsClass,
    CmsError,
    CommandError,
    PromptTimeout,
)
from modemd.emulator.rig import Rig
from modemd.emulator.spec import LineSpec

from .conftest import LINE
from .helpers import cmgs, part
from .test_failure_modes import synced

# The +CMS ERROR classes, row by row (TS 24.011 E-2, 23.040 9.2.3.22, 27.005 3.2.5).
DOMAIN_TABLE = [
    ([1, 21, 29, 69, 195, 196], CmsClass.PERMANENT),
    ([8, 10, 28, 30, 50, 193], CmsClass.LINE_CANNOT_SEND),
    ([27, 38, 41, 42, 47, 81, 111, 127, 192, 194, 512, 514, 515], CmsClass.TEMPORARY),
    ([95, 96, 97, 98, 99, 303, 304, 305], CmsClass.MALFORMED),
    ([197], CmsClass.DUPLICATE),
    ([300, 301, 302, 500], CmsClass.ME_FAILURE),
    ([310, 312, 313, 315, 316, 317, 318], CmsClass.SIM_FAILED),
    ([311], CmsClass.SIM_PIN),
    ([314], CmsClass.SIM_BUSY),
    ([320, 321, 322], CmsClass.MEMORY),
    ([330], CmsClass.SMSC_UNKNOWN),
    ([331], CmsClass.NO_SERVICE),
    ([332, 513], CmsClass.AMBIGUOUS),
]


@pytest.mark.parametrize(("codes", "kind"), DOMAIN_TABLE, ids=[k.name for _, k in DOMAIN_TABLE])
def test_every_code_of_domain_table_has_its_class(codes: list[int], kind: CmsClass) -> None:
    for code in codes:
        error = CmsError(code, "AT+CMGS=23")
        assert (error.code, error.kind) == (code, kind)
        assert kind.value in str(error) and "AT+CMGS=23" in str(error)


@pytest.mark.parametrize("code", [0, 2, 94, 100, 319, 323, 999, -1])
def test_codes_outside_the_table_are_unknown(code: int) -> None:
    assert CmsError(code).kind is CmsClass.UNKNOWN


def test_cms_error_from_the_modem_carries_code_and_class(memory_rig: Rig, connect) -> None:
    channel = synced(connect(memory_rig))
    memory_rig.fault(LINE, "cms", code=42)
    pdu = part()
    with pytest.raises(CmsError) as raised:
        channel.command_with_prompt(cmgs(pdu), pdu.pdu)
    assert (raised.value.code, raised.value.kind) == (42, CmsClass.TEMPORARY)
    assert channel.command_with_prompt(cmgs(pdu), pdu.pdu) == ["+CMGS: 1"]  # one-off fault


def test_error_instead_of_a_prompt_is_raised_at_once(memory_rig: Rig, connect) -> None:
    channel = synced(connect(memory_rig))
    start = time.monotonic()
    with pytest.raises(CmsError) as raised:
        channel.command_with_prompt("AT+CMGS=999", "00", prompt_timeout=5)
    assert (raised.value.code, raised.value.kind) == (304, CmsClass.MALFORMED)
    assert time.monotonic() - start < 1


def test_cme_error_16(memory_rig: Rig, connect) -> None:
    channel = synced(connect(memory_rig))
    with pytest.raises(CmeError) as raised:
        channel.command('AT+CLCK="SC",1,"9999"')
    assert raised.value.code == 16 and raised.value.command == 'AT+CLCK="SC",1,"9999"'


def test_verbose_cme_error_still_carries_its_code(memory_rig: Rig, connect) -> None:
    channel = synced(connect(memory_rig))
    channel.command("AT+CMEE=2")
    with pytest.raises(CmeError) as raised:
        channel.command('AT+CLCK="SC",1,"9999"')
    assert (raised.value.code, raised.value.text) == (16, "incorrect password")


def test_plain_error_is_a_command_error(memory_rig: Rig, connect) -> None:
    channel = connect(memory_rig)  # AT+CMEE=0: every failure is a bare ERROR
    with pytest.raises(CommandError) as raised:
        channel.command('AT+CLCK="SC",1,"9999"')
    assert not isinstance(raised.value, (CmeError, CmsError))
    assert raised.value.command == 'AT+CLCK="SC",1,"9999"'
    assert channel.command("AT") == []


def test_huawei_command_not_support_is_a_command_error(memory_rig: Rig, connect) -> None:
    memory_rig.add_line(LineSpec.numbered(2, profile="huawei"))
    channel = synced(connect(memory_rig, "line2"))
    with pytest.raises(CommandError):
        channel.command("AT+NOSUCH")
    assert channel.command("AT") == []


def test_prompt_timeout_sends_esc_and_raises(memory_rig: Rig, connect) -> None:
    channel = synced(connect(memory_rig))
    memory_rig.fault(LINE, "hang")
    pdu = part()
    since = time.time()
    with pytest.raises(PromptTimeout) as raised:
        channel.command_with_prompt(cmgs(pdu), pdu.pdu, prompt_timeout=0.3)
    assert isinstance(raised.value, AtTimeout) and isinstance(raised.value, TimeoutError)
    rx = [e["hex"] for e in memory_rig.transcript(LINE, since) if e["dir"] == "rx"]
    assert rx == [(cmgs(pdu) + "\r").encode().hex(), "1b"]  # ESC, and never the PDU
    memory_rig.fault(LINE, "clear")
    assert channel.command("AT+CSQ", expect="+CSQ") == ["+CSQ: 20,0"]  # back in step
