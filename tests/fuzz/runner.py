"""The fuzz loops, shared by bench/fuzz.py (10^5 inputs each) and tests/fuzz (fewer).

Input `index` of stream `stream` under `seed` comes from its own Random, so a failure
replays alone: `python bench/fuzz.py --only STREAM --seed SEED --index INDEX`.
"""

from __future__ import annotations

import logging
import random
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import at_channel, at_router, at_sessions, pdu_check, pdu_mutations

STREAMS = ("at", "channel", "pdu")
KEPT_FAILURES = 20


@dataclass
class Failure:
    stream: str
    seed: int
    index: int
    problems: list[str]

    def __str__(self) -> str:
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        where = f"index {self.index}" if self.index >= 0 else "after the run"
        again = f"--index {self.index}" if self.index >= 0 else "--count (as before)"
        return (f"{self.stream} seed {self.seed} {where}: {self.problems[0]}{more}\n"
                f"    reproduce: python bench/fuzz.py --only {self.stream} --seed {self.seed} "
                f"{again}")


@dataclass
class Tally:
    stream: str
    inputs: int = 0
    seconds: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)  # the first KEPT_FAILURES

    @property
    def rate(self) -> float:
        return self.inputs / self.seconds if self.seconds else 0.0

    def fail(self, failure: Failure) -> None:
        self.failed += 1
        if len(self.failures) < KEPT_FAILURES:
            self.failures.append(failure)


def rng_for(stream: str, seed: int, index: int) -> random.Random:
    return random.Random(f"{stream}:{seed}:{index}")


@contextmanager
def quiet() -> Iterator[None]:
    """The router warns about each stray and late line; a fuzz makes tens of thousands."""
    logger = logging.getLogger("modemd.at.router")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def raised(error: Exception) -> str:
    where = traceback.extract_tb(error.__traceback__)[-1]
    return f"raised {error!r} at {where.filename}:{where.lineno}"


def _loop(stream: str, seed: int, indexes: range,
          one: Callable[[random.Random, int, Counter[str]], list[str]]) -> Tally:
    tally = Tally(stream)
    started = time.perf_counter()
    with quiet():
        for index in indexes:
            try:
                found = one(rng_for(stream, seed, index), index, tally.counts)
            except Exception as error:  # the fuzz's own bug or an escape: report, go on
                found = [raised(error)]
            if found:
                tally.fail(Failure(stream, seed, index, found))
            tally.inputs += 1
    tally.seconds = time.perf_counter() - started
    return tally


def router_input(rng: random.Random, index: int, counts: Counter[str]) -> list[str]:
    session = at_sessions.session(rng)
    plan = at_router.PLANS[index % len(at_router.PLANS)]
    _count_session(counts, session, plan)
    return at_router.problems(session, at_router.route(session, plan, rng))


def channel_input(rng: random.Random, index: int, counts: Counter[str]) -> list[str]:
    session = at_sessions.session(rng, channel=True)
    plan = at_router.PLANS[index % len(at_router.PLANS)]
    _count_session(counts, session, plan)
    return at_channel.play(session, plan, rng)


def _count_session(counts: Counter[str], session: at_sessions.Session, plan: str) -> None:
    counts[f"split {plan}"] += 1
    counts["bytes"] += session.size
    counts["commands"] += len(session.commands)
    counts["URCs"] += len(session.urcs)
    counts["garbage lines"] += session.garbage
    counts.update(f"fate {command.fate}" for command in session.commands)


def fuzz_router(seed: int, count: int, first: int = 0) -> Tally:
    return _loop("at", seed, range(first, first + count), router_input)


def fuzz_channel(seed: int, count: int, first: int = 0) -> Tally:
    return _loop("channel", seed, range(first, first + count), channel_input)


def fuzz_pdus(seed: int, count: int, first: int = 0,
              sample: pdu_check.QuarantineSample | None = None, every: int = 50) -> Tally:
    """count inputs through both decoders; every `every`-th line also through the store."""

    def one(rng: random.Random, index: int, counts: Counter[str]) -> list[str]:
        item = pdu_mutations.pdu_input(rng)
        counts[f"origin {item.origin.split(',')[0].split(':')[0]}"] += 1
        found = pdu_check.decode_problems(item, counts)
        if sample is not None and item.line and index % every == 0:
            found += sample.take(str(item.pdu))
        return [f"{item.origin}, {item.pdu!r}: {problem}" for problem in found]

    tally = _loop("pdu", seed, range(first, first + count), one)
    if sample is not None:
        problems = sample.verify()
        if problems:
            tally.fail(Failure("pdu", seed, -1, problems))
    return tally


FUZZERS = {"at": fuzz_router, "channel": fuzz_channel, "pdu": fuzz_pdus}


def replay(stream: str, seed: int, index: int) -> str:
    """One input, shown in full with what was wrong with it."""
    rng, shown = rng_for(stream, seed, index), []
    with quiet():
        try:
            found = _replayed(stream, index, rng, shown)
        except Exception as error:
            found = [raised(error)]
    return "\n".join([*shown, *(f"PROBLEM: {p}" for p in found or ["none"])])


def _replayed(stream: str, index: int, rng: random.Random, shown: list[str]) -> list[str]:
    if stream == "pdu":
        item = pdu_mutations.pdu_input(rng)
        shown += [f"input: {item.pdu!r} ({item.origin}, has_smsc={item.has_smsc})",
                  f"expect: sc={item.sc}, ms={item.ms}"]
        return pdu_check.decode_problems(item, Counter())
    session = at_sessions.session(rng, channel=stream == "channel")
    plan = at_router.PLANS[index % len(at_router.PLANS)]
    shown += [f"split: {plan}", *_session_lines(session)]
    if stream == "channel":
        return at_channel.play(session, plan, rng)
    return at_router.problems(session, at_router.route(session, plan, rng))


def _session_lines(session: at_sessions.Session) -> list[str]:
    shown = []
    for number, command in enumerate(session.commands):
        shown.append(f"gap {number}: {session.gaps[number]!r}")
        shown.append(f"command {number} {command.shape.text} ({command.fate}, cut at "
                     f"{command.cut}): {command.answer!r}")
        shown.append(f"  must get lines={command.lines!r} final={command.final} "
                     f"prompt={command.prompt}")
        if command.sync_final is not None:
            shown.append(f"  then the resync's answer: {command.sync!r}; it must end with "
                         f"{command.sync_final.wire!r}")
    shown.append(f"gap {len(session.commands)}: {session.gaps[-1]!r}")
    shown.append(f"URCs that must arrive: {session.urcs!r}")
    return shown
