"""Seeded modem sessions for the AT fuzz, each byte tagged with where it must go.

A session is traffic between commands (URCs, garbage, stray result codes, a +CMT
header whose PDU line only comes after the next command was written) and commands
with their true answers: echo, information lines, URCs and garbage inside the answer,
the "> " prompt with URCs after it, a final result. A command may also be given up on
mid-answer and answered late, never answered, or forgiven (the channel stopped waiting)
and answered while the channel's ATS3? resync waits for its proof line. The writer
notes at which byte each line is complete, so the expectation holds however the bytes
are cut.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import cast

from modemd.at import Urc
from modemd.at.pending import Pending
from modemd.at.results import URC_TRAILING

from .at_vocabulary import (
    EXTRA_INFO,
    FINALS,
    MAX_LINE,
    PROMPT_ERRORS,
    SHAPES,
    URCS,
    Final,
    Shape,
    UrcItem,
    garbage,
    long_line,
    name_of,
    text_of,
    unsolicited,
)

LINE_ENDS = ((b"\r\n",),) * 6 + ((b"\r\r\n",), (b"\n",), (b"\r",)) + (
    (b"\r\n", b"\r\r\n", b"\n", b"\r", b"\n\r"),) * 2
FATES = ("answered",) * 7 + ("late", "lost", "forgiven")
SYNC = Shape("ATS3?", None, (b"013",))  # the channel's resync, proven by its "013"


@dataclass
class Command:
    shape: Shape
    answer: bytes
    prompt_end: int  # bytes of the answer up to and with "> " (0: no prompt)
    fate: str  # answered; late, lost, forgiven: given up on after `cut` bytes (FATES)
    cut: int
    lines: list[str]
    final: Final | None
    prompt: bool  # its prompt event must be set
    abandoned: bool  # Router.abandon() must say it gave up
    sync: bytes = b""  # forgiven: the resync's answer, after the rest of this one
    sync_final: Final | None = None  # ... and how the resync must end

    def pending(self) -> Pending:
        shape = self.shape
        return Pending(shape.text, shape.expect, shape.payload is not None, shape.payload)


@dataclass
class Session:
    gaps: list[bytes] = field(default_factory=list)  # gaps[i] comes before commands[i]
    commands: list[Command] = field(default_factory=list)
    urcs: list[Urc] = field(default_factory=list)  # in the order they must arrive
    garbage: int = 0

    @property
    def size(self) -> int:
        return sum(map(len, self.gaps)) + sum(len(c.answer) for c in self.commands)


class Writer:
    """Bytes as the modem writes them; events say at which byte a line is complete."""

    def __init__(self, rng: random.Random, ends: tuple[bytes, ...], session: Session,
                 shape: Shape | None) -> None:
        self.rng, self.ends, self.session, self.shape = rng, ends, session, shape
        self.data = bytearray()
        self.events: list[tuple[int, str, object]] = []  # (bytes needed, kind, value)

    def _end(self) -> bytes:
        return self.ends[0] if len(self.ends) == 1 else self.rng.choice(self.ends)

    def line(self, raw: bytes, kind: str = "none", value: object = None) -> None:
        self.data += self._end() + raw
        self.events.append((len(self.data) + 1, kind, value))  # its line end completes it
        self.data += self._end()

    def urc(self, item: UrcItem, *, defer: bool = False) -> str | None:
        """Write a URC; with defer, leave its PDU line for the caller (returned)."""
        if self.shape is not None and self.shape.expect == item.urc.name:
            self.line(item.wire.encode(), "own", item.wire)  # +CREG: inside AT+CREG? is ours
            return None
        self.line(item.wire.encode(), "urc", item.urc)
        if not item.trailing:
            return None
        if defer:
            return item.urc.payload
        self.line(str(item.urc.payload).encode())
        return None

    def noise(self) -> None:
        raw, text = garbage(self.rng, self.shape)
        self.session.garbage += 1
        if self.shape is None:
            self.line(raw, "urc", unsolicited(text))
        else:
            self.line(raw, "own", text)

    def long(self) -> None:
        """A line past MAX_LINE: cut into pieces, each complete once MAX_LINE bytes wait."""
        raw, cut_into = long_line(self.rng)
        self.data += self._end()
        start = len(self.data)
        self.data += raw
        for number, piece in enumerate(cut_into):
            last = number == len(cut_into) - 1  # never a whole MAX_LINE (long_line sees to it)
            needed = len(self.data) + 1 if last else start + MAX_LINE * (number + 1)
            self.events.append((needed, "own", piece) if self.shape else
                               (needed, "urc", unsolicited(piece)))
        self.data += self._end()

    def flush(self) -> bytes:
        """Done writing traffic nobody waits for: its URCs are due in this order."""
        self.session.urcs += [value for _, kind, value in self.events if kind == "urc"]
        return bytes(self.data)

    def prompt(self) -> None:
        self.data += self._end() + b">"
        self.events.append((len(self.data), "prompt", None))
        self.data += b" "


def pieces(rng: random.Random, writer: Writer, count: int) -> None:
    """URCs, garbage, extra information lines, now and then a runaway line."""
    for _ in range(count):
        roll = rng.random()
        if roll < 0.45:
            writer.urc(rng.choice(URCS))
        elif roll < 0.72:
            writer.noise()
        elif roll < 0.995 and writer.shape is not None:
            raw = rng.choice(EXTRA_INFO)
            writer.line(raw, "own", text_of(raw))
        elif roll < 0.995:
            writer.noise()
        else:
            writer.long()


def gap(rng: random.Random, ends: tuple[bytes, ...], session: Session,
        defer: bool) -> tuple[bytes, str | None]:
    """Traffic while no command is in flight; maybe a +CMT header whose PDU comes later."""
    writer = Writer(rng, ends, session, None)
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 5))):
        if rng.random() < 0.15:
            writer.line(rng.choice(FINALS).wire.encode())  # stray: nobody waits for it
        else:
            pieces(rng, writer, 1)
    deferred = None
    if defer and rng.random() < 0.12:
        deferred = writer.urc(rng.choice([u for u in URCS if u.trailing]), defer=True)
    return writer.flush(), deferred


def command(rng: random.Random, ends: tuple[bytes, ...], session: Session, shape: Shape,
            deferred: str | None, fate: str) -> Command:
    writer = Writer(rng, ends, session, shape)
    if deferred is not None:
        writer.line(deferred.encode())  # the PDU line of the URC before the command
    if rng.random() < 0.5:
        writer.data += shape.text.encode() + b"\r"  # echo (ATE1)
    prompt_end, final = 0, None
    if shape.payload is not None and rng.random() < 0.85:
        prompt_end = _prompted(rng, writer, shape)
        final = rng.choice(FINALS)
    elif shape.payload is not None:  # refused instead of a prompt
        pieces(rng, writer, rng.choice((0, 1)))
        final = rng.choice(PROMPT_ERRORS)
    else:
        _answered(rng, writer, shape)
        final = rng.choice(FINALS)
    if fate != "lost":
        writer.line(final.wire.encode(), "final", final)
    return _settle(rng, writer, shape, fate, prompt_end)


def _answered(rng: random.Random, writer: Writer, shape: Shape) -> None:
    """Its information lines in order, with other traffic anywhere between them."""
    slots = [rng.choice((0, 0, 0, 1, 2)) for _ in range(len(shape.info) + 1)]
    pieces(rng, writer, slots[0])
    for raw, count in zip(shape.info, slots[1:], strict=True):
        writer.line(raw, "own", text_of(raw))
        pieces(rng, writer, count)


def _prompted(rng: random.Random, writer: Writer, shape: Shape) -> int:
    writer.prompt()
    prompt_end = len(writer.data)
    pieces(rng, writer, rng.choice((0, 0, 1, 2)))  # URCs right after "> "
    if rng.random() < 0.5:  # the modem echoes the PDU (and maybe its Ctrl-Z)
        writer.data += str(shape.payload).encode() + rng.choice((b"", b"\x1a"))
    writer.line(shape.result, "own", shape.result.decode())
    pieces(rng, writer, rng.choice((0, 0, 1)))
    return prompt_end


def _settle(rng: random.Random, writer: Writer, shape: Shape, fate: str,
            prompt_end: int) -> Command:
    """What the command must end up with, given how much arrived before it was given up."""
    data = bytes(writer.data)
    cut = rng.randint(0, len(data)) if fate in ("late", "forgiven") else len(data)
    finals = [cast(Final, value) for needed, kind, value in writer.events
              if kind == "final" and needed <= cut]
    forgiven = fate == "forgiven" and not finals
    lines, prompt = _arrived(writer, cut, forgiven)
    final = finals[0] if finals else None
    command = Command(shape, data, prompt_end, fate, cut, lines, final,
                      prompt or final is not None, fate != "answered" and final is None)
    if forgiven:
        late = next(cast(Final, value) for _, kind, value in writer.events if kind == "final")
        command.sync_final = late if late.error else SYNC_OK
        command.sync = _resync(rng, writer.ends, writer.session, refused=late.error is not None)
    return command


def _arrived(writer: Writer, cut: int, forgiven: bool) -> tuple[list[str], bool]:
    """The lines (and whether the prompt) that reached the command before the cut. Its URCs
    are due in order; once it is forgiven, a line it expected is a URC to the router."""
    lines: list[str] = []
    prompt = False
    for needed, kind, value in writer.events:
        if kind == "urc":
            writer.session.urcs.append(cast(Urc, value))
        elif needed <= cut:
            lines += [str(value)] if kind == "own" else []
            prompt = prompt or kind == "prompt"
        elif forgiven and kind == "own" and name_of(str(value)) in URC_TRAILING:
            writer.session.urcs.append(unsolicited(str(value)))
    return lines, prompt


SYNC_OK = Final("OK", None)


def _resync(rng: random.Random, ends: tuple[bytes, ...], session: Session, *,
            refused: bool) -> bytes:
    """ATS3?'s answer. Before its "013" only URCs count; if the forgiven answer's late
    error already ended the resync, all of it is unsolicited."""
    writer = Writer(rng, ends, session, None if refused else SYNC)
    if rng.random() < 0.5:
        writer.line(b"ATS3?", "urc" if refused else "none", unsolicited("ATS3?"))  # echo
    for _ in range(rng.choice((0, 1, 2))):
        if rng.random() < 0.6:
            writer.urc(rng.choice(URCS))
        else:
            writer.noise()
    writer.line(b"013", "urc" if refused else "none", unsolicited("013"))
    for _ in range(rng.choice((0, 0, 1))):
        writer.urc(rng.choice(URCS))
    writer.line(b"OK")
    return writer.flush()


CHANNEL_SHAPES = tuple(shape for shape in SHAPES if shape.text != "ATS3?")  # the resync's own


def session(rng: random.Random, *, channel: bool = False) -> Session:
    """One session. channel: only commands the modem answers, none the channel's own resync
    sends, and no URC split across the first command (the resync would take its PDU line)."""
    out = Session()
    ends = rng.choice(LINE_ENDS)
    shapes = CHANNEL_SHAPES if channel else SHAPES
    for number in range(rng.choice((0, 1, 2, 3, 4, 5, 6, 8))):
        data, deferred = gap(rng, ends, out, defer=number > 0 or not channel)
        out.gaps.append(data)
        fate = "answered" if channel else rng.choice(FATES)
        shape = rng.choice(CHANNEL_SHAPES if fate == "forgiven" else shapes)  # no "013" in it
        out.commands.append(command(rng, ends, out, shape, deferred, fate))
    out.gaps.append(gap(rng, ends, out, defer=False)[0])
    return out
