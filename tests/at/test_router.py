"""Router: where each line goes, driven synchronously (no threads, no port)."""

from __future__ import annotations

import pytest

from modemd.at import CmeError, CmsClass, CmsError, CommandError, Urc
from modemd.at.lines import PROMPT, LineSplitter
from modemd.at.pending import Pending
from modemd.at.router import Router

PDU = "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"


class Wire:
    """A Router behind a LineSplitter, as the channel's reader drives it."""

    def __init__(self) -> None:
        self.router = Router("test")
        self.splitter = LineSplitter()
        self.urcs: list[Urc] = []

    def start(self, text: str, expect: str | None = None, *, prompt: bool = False,
              payload: str | None = None) -> Pending:
        pending = Pending(text, expect, prompt, payload)
        self.router.start(pending)
        return pending

    def feed(self, data: bytes) -> None:
        for event in self.splitter.feed(data):
            urc = self.router.route(event)
            if urc is not None:
                self.urcs.append(urc)


@pytest.fixture
def wire() -> Wire:
    return Wire()


def test_info_lines_and_ok_go_to_the_command(wire: Wire) -> None:
    pending = wire.start("AT+CSQ")
    wire.feed(b"AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n")
    assert pending.result() == ["+CSQ: 20,99"]
    assert wire.urcs == [] and wire.router.pending is None


def test_urc_inside_a_response_is_a_urc(wire: Wire) -> None:
    pending = wire.start("AT+CSQ")
    wire.feed(b'\r\n+CSQ: 20,99\r\n\r\n+CMTI: "SM",4\r\n\r\nOK\r\n')
    assert pending.result() == ["+CSQ: 20,99"]
    assert wire.urcs == [Urc("+CMTI", '"SM",4')]


def test_a_urc_looking_line_the_command_expects_is_its_answer(wire: Wire) -> None:
    pending = wire.start("AT+CREG?", expect="+CREG")
    wire.feed(b"\r\n+CREG: 0,1\r\n\r\nOK\r\n")
    assert pending.result() == ["+CREG: 0,1"]
    assert wire.urcs == []


def test_cmt_header_and_pdu_make_one_urc_even_inside_a_response(wire: Wire) -> None:
    pending = wire.start("AT+CMGL=4", expect="+CMGL")
    wire.feed(f"\r\n+CMT: ,39\r\n{PDU}\r\n\r\nOK\r\n".encode())
    assert pending.result() == []
    assert wire.urcs == [Urc("+CMT", ",39", PDU)]


def test_urc_after_prompt_and_payload_echo(wire: Wire) -> None:
    pending = wire.start("AT+CMGS=23", prompt=True, payload="0011AB")
    wire.feed(b'AT+CMGS=23\r\r\n> \r\n+CMTI: "SM",1\r\n')
    assert pending.prompt.is_set() and not pending.done.is_set()
    wire.feed(b"0011AB\r\n+CMGS: 7\r\n\r\nOK\r\n")
    assert pending.result() == ["+CMGS: 7"]
    assert wire.urcs == [Urc("+CMTI", '"SM",1')]


def test_prompt_is_ignored_unless_the_command_wants_one(wire: Wire) -> None:
    pending = wire.start("AT")
    wire.router.route(PROMPT)
    assert not pending.prompt.is_set()


@pytest.mark.parametrize(("final", "error", "code"), [
    ("ERROR", CommandError, None),
    ("COMMAND NOT SUPPORT", CommandError, None),
    ("+CME ERROR: 16", CmeError, 16),
    ("+CMS ERROR: 42", CmsError, 42),
    ("+CME ERROR: incorrect password", CmeError, 16),  # AT+CMEE=2
    ("+CMS ERROR: network timeout", CmsError, 332),
    ("+CME ERROR: vendor says no", CmeError, -1),
])
def test_final_errors_are_typed(wire: Wire, final: str, error: type, code: int | None) -> None:
    pending = wire.start("AT+X")
    wire.feed(f"\r\n+X: 1\r\n\r\n{final}\r\n".encode())
    with pytest.raises(error) as raised:
        pending.result()
    assert raised.value.lines == ("+X: 1",) and raised.value.command == "AT+X"
    if code is not None:
        assert raised.value.code == code
    if error is CmsError:
        assert raised.value.kind is {42: CmsClass.TEMPORARY, 332: CmsClass.AMBIGUOUS}[code]


def test_a_late_answer_never_reaches_the_next_command(wire: Wire) -> None:
    first = wire.start("AT+CSQ")
    assert wire.router.abandon(first)  # timed out
    assert wire.router.owed == 1
    wire.feed(b'\r\n+CSQ: 20,99\r\n\r\n+CMTI: "SM",2\r\n\r\nOK\r\n')
    assert wire.router.owed == 0 and first.lines == []
    assert wire.urcs == [Urc("+CMTI", '"SM",2')]  # URCs in a late answer still count
    second = wire.start("AT+CGSN")
    wire.feed(b"\r\n350000000000014\r\n\r\nOK\r\n")
    assert second.result() == ["350000000000014"]


def test_a_late_answers_expected_lines_are_not_urcs(wire: Wire) -> None:
    first = wire.start("AT+CREG?", expect="+CREG")
    wire.router.abandon(first)
    wire.feed(b"\r\n+CREG: 0,1\r\n\r\nOK\r\n")
    assert wire.urcs == [] and wire.router.owed == 0


def test_nothing_starts_while_an_answer_is_owed_until_forgiven(wire: Wire) -> None:
    wire.router.abandon(wire.start("AT"))
    with pytest.raises(RuntimeError):
        wire.start("AT")
    assert wire.router.forgive() == 1
    pending = wire.start("AT")
    wire.feed(b"\r\nOK\r\n")
    assert pending.result() == []


def test_abandon_after_the_answer_came_keeps_the_answer(wire: Wire) -> None:
    pending = wire.start("AT")
    wire.feed(b"\r\nOK\r\n")
    assert not wire.router.abandon(pending)
    assert wire.router.owed == 0 and pending.result() == []


def test_unsolicited_lines_outside_commands(wire: Wire) -> None:
    wire.feed(b"\r\nOK\r\n\r\nRING\r\n\r\nweird vendor thing\r\n")
    assert wire.urcs == [Urc("RING", "RING"), Urc("WEIRD VENDOR THING", "weird vendor thing")]


def test_reset_drops_a_half_received_urc(wire: Wire) -> None:
    wire.feed(b"\r\n+CMT: ,39\r\n")
    wire.router.reset()
    wire.feed(b'\r\n+CMTI: "SM",1\r\n')
    assert wire.urcs == [Urc("+CMTI", '"SM",1')]


def proof(line: str) -> bool:
    return line == "013"


def test_a_resync_takes_no_ok_before_its_proof_line(wire: Wire) -> None:
    sync = Pending("ATS3?", None, False, proof=proof)
    wire.router.start(sync)
    wire.feed(b'\r\nOK\r\n\r\n+CSQ: 20,99\r\n\r\n+CMTI: "SM",1\r\n\r\nOK\r\n')  # older answers
    assert not sync.done.is_set()
    assert wire.urcs == [Urc("+CMTI", '"SM",1')]
    wire.feed(b"\r\n013\r\n\r\nOK\r\n")
    assert sync.result() == []


def test_a_refused_resync_fails_at_once(wire: Wire) -> None:
    sync = Pending("ATS3?", None, False, proof=proof)
    wire.router.start(sync)
    wire.feed(b"\r\nERROR\r\n")
    with pytest.raises(CommandError):
        sync.result()
