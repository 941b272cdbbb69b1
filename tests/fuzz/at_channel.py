"""Generated sessions through a real AtChannel: its reader and URC threads, its opening
resync, command() and command_with_prompt(), over a transport whose far end plays the
session (each answer after its command is written, the rest after the PDU)."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque

from modemd.at import AtChannel, Urc

from .at_router import outcome_problem, pieces_of, urc_problems
from .at_sessions import Command, Session

ESC, CTRL_Z = b"\x1b", b"\x1a"
RESYNC, RESYNC_ANSWER = b"ATS3?\r", b"\r\n013\r\n\r\nOK\r\n"


class PlayedModem:
    """The transport: answers are queued when their command is written, cut by the plan."""

    def __init__(self, plan: str, rng: random.Random) -> None:
        self.plan, self.rng = plan, rng
        self.is_open = False
        self.unexpected: list[bytes] = []
        self._answers: dict[bytes, bytes] = {}
        self._reads: deque[bytes] = deque()
        self._busy = False  # the last read has not been routed yet
        self._state = threading.Condition()

    def open(self) -> None:
        self.is_open = True

    def close(self) -> None:
        with self._state:
            self.is_open = False
            self._state.notify_all()

    def reopen(self, timeout: float) -> bool:
        self.open()
        return True

    def emit(self, data: bytes) -> None:
        with self._state:
            self._reads.extend(piece for piece in pieces_of(data, self.plan, self.rng) if piece)
            self._state.notify_all()

    def answer(self, written: bytes, data: bytes) -> None:
        """When `written` is written, the modem says `data`."""
        self._answers[written] = data

    def write(self, data: bytes) -> None:
        if data == ESC:
            return
        if data == RESYNC:
            self.emit(RESYNC_ANSWER)
        elif data in self._answers:
            self.emit(self._answers.pop(data))
        else:
            self.unexpected.append(data)

    def read(self) -> bytes:
        with self._state:
            self._busy = False  # the reader is back: what it read before has been routed
            self._state.notify_all()
            if not self._reads:
                self._state.wait(0.05)
            if not self._reads or not self.is_open:
                return b""
            self._busy = True
            return self._reads.popleft()

    def wait_routed(self, timeout: float) -> bool:
        with self._state:
            return self._state.wait_for(lambda: not self._reads and not self._busy, timeout)


class _Logged(logging.Handler):
    """Errors the channel logs instead of raising (a routing bug is swallowed there)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.getMessage()} ({record.exc_info and record.exc_info[1]!r})")


def play(session: Session, plan: str, rng: random.Random, timeout: float = 2.0) -> list[str]:
    """Problems found playing session on a channel (commands get `timeout` each)."""
    modem, got, logged = PlayedModem(plan, rng), [], _Logged()
    logger = logging.getLogger("modemd.at.channel")
    logger.addHandler(logged)
    channel = AtChannel(modem, name="fuzz", on_urc=got.append)  # type: ignore[arg-type]
    found: list[str] = []
    try:
        channel.open()
        for number, command in enumerate(session.commands):
            found += _between(modem, session.gaps[number], timeout)
            found += _command(channel, modem, number, command, timeout)
        found += _between(modem, session.gaps[-1], timeout)
        _wait_for_urcs(got, len(session.urcs), timeout)
    finally:
        channel.close()
        logger.removeHandler(logged)
    found += urc_problems(session.urcs, list(got))
    found += [f"unexpected write {data!r}" for data in modem.unexpected]
    return found + [f"channel logged: {message}" for message in logged.messages]


def _between(modem: PlayedModem, data: bytes, timeout: float) -> list[str]:
    modem.emit(data)
    return [] if modem.wait_routed(timeout) else [f"{len(data)} bytes never read"]


def _command(channel: AtChannel, modem: PlayedModem, number: int, command: Command,
             timeout: float) -> list[str]:
    shape = command.shape
    written = shape.text.encode() + b"\r"
    if shape.payload is None:
        modem.answer(written, command.answer)
        problem = outcome_problem(command.final, command.lines, lambda: channel.command(
            shape.text, expect=shape.expect, timeout=timeout))  # type: ignore[arg-type]
    else:
        end = command.prompt_end or len(command.answer)
        modem.answer(written, command.answer[:end])
        if command.prompt_end:  # refused instead: writing the PDU would be unexpected
            modem.answer(shape.payload.encode() + CTRL_Z, command.answer[end:])
        problem = outcome_problem(command.final, command.lines, lambda: channel.command_with_prompt(
            shape.text, str(shape.payload), prompt_timeout=timeout,  # type: ignore[arg-type]
            timeout=timeout))
    return [f"command {number} {shape.text}: {problem}"] if problem else []


def _wait_for_urcs(got: list[Urc], count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        time.sleep(0.001)
