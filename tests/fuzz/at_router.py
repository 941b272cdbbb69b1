"""A generated session through LineSplitter -> Router, as the channel's reader drives them,
cut by a split plan; then what came out against what the session says must."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from modemd.at import AtError, Urc
from modemd.at.lines import LineSplitter
from modemd.at.pending import Pending
from modemd.at.results import is_register_value
from modemd.at.router import Router

from .at_sessions import Command, Session
from .at_vocabulary import Final

PLANS = ("whole", "halves", "bytes", "random")


def pieces_of(data: bytes, plan: str, rng: random.Random) -> Iterator[bytes]:
    """data as reads deliver it: in one, in two halves, byte by byte, or in random chunks."""
    if plan == "whole" or len(data) < 2:
        yield data
    elif plan == "halves":
        yield data[:len(data) // 2]
        yield data[len(data) // 2:]
    elif plan == "bytes":
        yield from (data[at:at + 1] for at in range(len(data)))
    else:
        at = 0
        while at < len(data):
            size = rng.choice((1, 2, 3, 7, 16, 64, 200))
            yield data[at:at + size]
            at += size


@dataclass
class Routed:
    router: Router
    pendings: list[Pending]
    urcs: list[Urc] = field(default_factory=list)
    gave_up: dict[int, bool] = field(default_factory=dict)
    syncs: dict[int, Pending] = field(default_factory=dict)  # the resync after a forgiven one


def route(session: Session, plan: str, rng: random.Random) -> Routed:
    """Feed the session; commands start, are given up on and forgiven where it says."""
    routed = Routed(Router("fuzz"), [command.pending() for command in session.commands])
    router, splitter = routed.router, LineSplitter()

    def feed(data: bytes) -> None:
        for piece in pieces_of(data, plan, rng):
            for event in splitter.feed(piece):
                urc = router.route(event)
                if urc is not None:
                    routed.urcs.append(urc)

    for number, command in enumerate(session.commands):
        feed(session.gaps[number])
        pending = routed.pendings[number]
        router.start(pending)
        feed(command.answer[:command.cut])
        if command.fate != "answered":
            routed.gave_up[number] = router.abandon(pending)
        if command.fate == "forgiven" and routed.gave_up[number]:
            router.forgive()  # the channel's resync: LATE_WAIT is over, ESC, ATS3?
            routed.syncs[number] = Pending("ATS3?", None, False, proof=is_register_value)
            router.start(routed.syncs[number])
        feed(command.answer[command.cut:])
        if command.fate == "lost":
            router.forgive()  # the channel does after LATE_WAIT
        feed(command.sync)
    feed(session.gaps[-1])
    return routed


def problems(session: Session, routed: Routed) -> list[str]:
    found = urc_problems(session.urcs, routed.urcs)
    for number, (command, pending) in enumerate(zip(session.commands, routed.pendings,
                                                    strict=True)):
        found += command_problems(number, command, pending, routed.gave_up.get(number))
        found += sync_problems(number, command, routed.syncs.get(number))
    if routed.router.pending is not None or routed.router.owed:
        found.append(f"router left busy: pending={routed.router.pending is not None}, "
                     f"owed={routed.router.owed}")
    return found


def urc_problems(expected: list[Urc], got: list[Urc]) -> list[str]:
    if got == expected:
        return []
    first = next((i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
                 min(len(expected), len(got)))
    return [f"URCs: expected {len(expected)}, got {len(got)}; first difference at #{first}: "
            f"expected {expected[first] if first < len(expected) else None!r}, "
            f"got {got[first] if first < len(got) else None!r}"]


def command_problems(number: int, command: Command, pending: Pending,
                     gave_up: bool | None) -> list[str]:
    label = f"command {number} {command.shape.text} ({command.fate})"
    found = []
    if gave_up is not None and gave_up != command.abandoned:
        found.append(f"{label}: abandon() said {gave_up}, expected {command.abandoned}")
    if pending.lines != command.lines:
        found.append(f"{label}: lines {pending.lines!r}, expected {command.lines!r}")
    if pending.prompt.is_set() != command.prompt:
        found.append(f"{label}: prompt set={pending.prompt.is_set()}, expected {command.prompt}")
    if command.final is None:
        if pending.done.is_set():
            found.append(f"{label}: finished by a line that is not its final result")
        return found
    if not pending.done.is_set():
        found.append(f"{label}: its final {command.final.wire!r} never finished it")
        return found
    problem = outcome_problem(command.final, command.lines, pending.result)
    return found + ([f"{label}: {problem}"] if problem else [])


def sync_problems(number: int, command: Command, sync: Pending | None) -> list[str]:
    label = f"resync after command {number} {command.shape.text}"
    if command.sync_final is None or sync is None:
        return [] if command.sync_final is None and sync is None else [
            f"{label}: ran={sync is not None}, expected {command.sync_final is not None}"]
    if not sync.done.is_set():
        return [f"{label}: never finished (expected {command.sync_final.wire!r})"]
    problem = outcome_problem(command.sync_final, [], sync.result)
    return [f"{label}: {problem}"] if problem else []


def outcome_problem(final: Final, lines: list[str], result: Callable[[], list[str]]) -> str:
    """What is wrong with a finished command's result ('' when nothing)."""
    try:
        got = result()
    except AtError as error:
        if final.error is None:
            return f"failed with {error!r}; its final was OK"
        if type(error) is not final.error or getattr(error, "code", None) != final.code:
            return f"failed with {error!r}; expected {final.error.__name__} code {final.code}"
        if list(error.lines) != lines:
            return f"error carries lines {error.lines!r}, expected {lines!r}"
        return ""
    if final.error is not None:
        return f"succeeded with {got!r}; its final was {final.wire!r}"
    return "" if got == lines else f"returned {got!r}, expected {lines!r}"
