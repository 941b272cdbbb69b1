"""10,000 generated modem conversations through LineSplitter + Router, cut arbitrarily.

A conversation is commands (echo or not, info lines, URCs inside the answer or
after the "> " prompt, garbage, OK/ERROR/+CME/+CMS), URCs and garbage between
commands, commands that time out and are answered late, and commands the modem
drops. The generator knows where every line must go; the properties: no crash,
every URC delivered exactly once and in order, every answer line reaches its
own command and no other, and nothing is left half-routed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modemd.at import AtError, CmeError, CmsError, CommandError, Urc
from modemd.at.lines import LineSplitter
from modemd.at.pending import Pending
from modemd.at.router import Router

PDUS = ("07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07",
        "0006D60B911326880736F4111011719551401110117195714000")
URCS = [  # (wire line, trailing PDU, the Urc it must become)
    *((f'+CMTI: "SM",{n}', None, Urc("+CMTI", f'"SM",{n}')) for n in (0, 7, 29)),
    ('+CDSI: "SR",3', None, Urc("+CDSI", '"SR",3')),
    *((f"+CMT: ,{len(p) // 2}", p, Urc("+CMT", f",{len(p) // 2}", p)) for p in PDUS),
    *((f"+CDS: {len(p) // 2}", p, Urc("+CDS", str(len(p) // 2), p)) for p in PDUS),
    ("^RSSI:18", None, Urc("^RSSI", "18")),
    ("RING", None, Urc("RING", "RING")),
    ("+CREG: 5", None, Urc("+CREG", "5")),
]
INFO = [b"+CSQ: 20,99", b"350000000000014", b'+CPMS: "SM",1,30,"SM",1,30', PDUS[0].encode(),
        '+COPS: 0,0,"Télé"'.encode(), b"Revision: \xe9\xff", b"+CMGS: 17"]
FINALS = [("OK", None, None), ("ERROR", CommandError, None),
          ("COMMAND NOT SUPPORT", CommandError, None), ("+CME ERROR: 16", CmeError, 16),
          ("+CMS ERROR: 42", CmsError, 42), ("+CMS ERROR: 500", CmsError, 500)]
GARBAGE = b"\x00\x80\x9b\xc3\xfe\xff~( x7"  # never a line end, ">" or ":"
ENDS = (b"\r\n", b"\r\r\n")
T = TypeVar("T")


def decoded(raw: bytes) -> str:
    """What a garbage line must read as: NULs gone, non-UTF-8 as U+FFFD, trimmed."""
    return raw.replace(b"\x00", b"").decode("utf-8", "replace").strip()


@dataclass
class Expected:
    """One command of the conversation and what it must end up with."""

    pending: Pending
    lines: list[str] = field(default_factory=list)
    final: tuple[str, type[AtError] | None, int | None] | None = None
    abandoned: bool = False
    prompt: bool = False


@dataclass
class Conversation:
    steps: list[tuple[str, object]] = field(default_factory=list)  # start/bytes/abandon/forgive
    urcs: list[Urc] = field(default_factory=list)
    commands: list[Expected] = field(default_factory=list)


class Writer:
    """Builds one command's answer, noting at which byte each line is complete."""

    def __init__(self, end: bytes, conversation: Conversation, command: Expected | None) -> None:
        self.data = bytearray()
        self.end = end
        self.conversation = conversation
        self.command = command
        self.owned: list[tuple[int, str]] = []  # (byte that completes it, line) of the command
        self.prompt_at = -1  # where the ">" is

    def line(self, raw: bytes, *, owned: str | None = None) -> None:
        self.data += self.end + raw
        if owned is not None:
            self.owned.append((len(self.data), owned))
        self.data += self.end

    def urc(self, index: int) -> None:
        text, pdu, urc = URCS[index]
        if self.command and self.command.pending.expects(text):
            self.line(text.encode(), owned=text)  # a +CREG inside AT+CREG? is its answer
            return
        self.line(text.encode())
        if pdu is not None:
            self.data += pdu.encode() + self.end
        self.conversation.urcs.append(urc)


class Script:
    """Choices read bit by bit from one drawn byte string: cheap to generate, shrinks well."""

    def __init__(self, data: bytes) -> None:
        self.bits = int.from_bytes(data, "big")
        self.left = 8 * len(data)

    def number(self, count: int) -> int:
        """0 <= n < count (0 once the bits run out, so shrinking makes things simpler)."""
        width = (count - 1).bit_length()
        if self.left < width or not width:
            return 0
        self.left -= width
        return (self.bits >> self.left) % (1 << width) % count

    def pick(self, choices: Sequence[T]) -> T:
        return choices[self.number(len(choices))]

    def garbage(self) -> bytes:
        return bytes(self.pick(GARBAGE) for _ in range(self.number(7)))


def write_pieces(script: Script, writer: Writer) -> None:
    """Info lines, URCs and garbage in the order the modem writes them."""
    for _ in range(script.number(5)):
        kind = script.number(3)
        if kind == 0:
            writer.urc(script.number(len(URCS)))
        elif kind == 1:
            raw = script.pick(INFO)
            writer.line(raw, owned=raw.decode("utf-8", "replace"))
        elif text := decoded(junk := script.garbage()):
            writer.line(junk, owned=text)


def write_prompt(script: Script, writer: Writer, payload: str) -> None:
    writer.data += writer.end
    writer.prompt_at = len(writer.data)
    writer.data += b"> "
    for _ in range(script.number(3)):
        writer.urc(script.number(len(URCS)))
    writer.data += payload.encode()  # its echo
    writer.line(b"+CMGS: 17", owned="+CMGS: 17")


def command(script: Script, conversation: Conversation, number: int) -> None:
    shape = script.number(3)  # plain, expecting +CREG, or with a prompt
    payload = "0011AB" if shape == 2 else None
    pending = Pending(f"AT+X{number}", "+CREG" if shape == 1 else None, shape == 2, payload)
    expected = Expected(pending)
    writer = Writer(script.pick(ENDS), conversation, expected)
    if script.number(2):
        writer.data += pending.text.encode() + b"\r"  # echo
    if shape == 1:
        writer.line(b"+CREG: 0,1", owned="+CREG: 0,1")
    write_pieces(script, writer)
    if payload:
        write_prompt(script, writer, payload)
    conversation.steps.append(("start", pending))
    conversation.commands.append(expected)
    end(script, writer, expected)


def end(script: Script, writer: Writer, expected: Expected) -> None:
    """Answered in time, answered late (given up on mid-answer), or lost by the modem."""
    fate = script.pick(("answered", "answered", "late", "lost"))
    steps = writer.conversation.steps
    if fate == "lost":  # never finished: given up on, then forgiven
        expected.lines = [line for _, line in writer.owned]
        expected.abandoned, expected.prompt = True, writer.prompt_at >= 0
        steps += [("bytes", bytes(writer.data)), ("abandon", expected), ("forgive", None)]
        return
    final = script.pick(FINALS)
    writer.line(final[0].encode())
    end_of_final = len(writer.data) - len(writer.end) + 1
    cut = script.number(len(writer.data) + 1) if fate == "late" else len(writer.data)
    expected.lines = [line for at, line in writer.owned if at < cut]
    expected.abandoned = fate == "late" and cut < end_of_final
    expected.final = None if expected.abandoned else final
    expected.prompt = 0 <= writer.prompt_at < cut
    steps += [("bytes", bytes(writer.data[:cut])), ("abandon", expected),
              ("bytes", bytes(writer.data[cut:]))]


def between(script: Script, conversation: Conversation) -> None:
    """URCs and garbage while no command is in flight."""
    writer = Writer(script.pick(ENDS), conversation, None)
    for _ in range(script.number(4)):
        if script.number(2):
            writer.urc(script.number(len(URCS)))
        elif text := decoded(junk := script.garbage()):
            writer.line(junk)
            conversation.urcs.append(Urc(text.upper(), text))
    conversation.steps.append(("bytes", bytes(writer.data)))


def conversation_from(data: bytes) -> tuple[Conversation, list[int]]:
    """A conversation, and the sizes of the reads it arrives in (cycled)."""
    script, conversation = Script(data), Conversation()
    sizes = [1 + script.number(48) for _ in range(1 + script.number(4))]
    for number in range(script.number(8)):
        between(script, conversation)
        command(script, conversation, number)
    between(script, conversation)
    return conversation, sizes


def chunks(data: bytes, sizes: list[int]) -> list[bytes]:
    pieces, offset, turn = [], 0, 0
    while offset < len(data):
        size = sizes[turn % len(sizes)]
        pieces.append(data[offset:offset + size])
        offset, turn = offset + size, turn + 1
    return pieces


def run(conversation: Conversation, sizes: list[int]) -> tuple[Router, list[Urc]]:
    router, splitter, urcs = Router("prop"), LineSplitter(), []
    for kind, value in conversation.steps:
        if kind == "start":
            router.start(value)  # type: ignore[arg-type]
        elif kind == "abandon":
            given_up = router.abandon(value.pending)  # type: ignore[union-attr]
            assert given_up == value.abandoned  # type: ignore[union-attr]
        elif kind == "forgive":
            router.forgive()
        else:
            for piece in chunks(value, sizes):  # type: ignore[arg-type]
                urcs += filter(None, map(router.route, splitter.feed(piece)))
    return router, urcs


def check_command(expected: Expected) -> None:
    pending = expected.pending
    assert pending.lines == expected.lines, pending.text
    assert pending.prompt.is_set() == (expected.prompt or expected.final is not None)
    if expected.final is None:
        assert not pending.done.is_set(), pending.text
        return
    _, error, code = expected.final
    if error is None:
        assert pending.result() == expected.lines
        return
    try:
        pending.result()
    except AtError as raised:
        assert type(raised) is error and getattr(raised, "code", None) == code
    else:
        raise AssertionError(f"{pending.text} should have failed with {error.__name__}")


@settings(max_examples=10_000, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.binary(min_size=24, max_size=136))
def test_every_line_reaches_its_destination_exactly_once(script: bytes) -> None:
    conversation, sizes = conversation_from(script)
    router, urcs = run(conversation, sizes)
    assert urcs == conversation.urcs  # each URC once, in order, none invented
    for expected in conversation.commands:
        check_command(expected)
    assert router.pending is None and router.owed == 0
