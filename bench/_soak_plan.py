"""The soak's random schedule, drawn from one seed: agents, the network, faults on the
lines, and the daemon's own crashes.

Pure: the same seed, lines and length give the same plan (each stream has its own
generator, so a change in one stream leaves the others as they were). Only process
timing differs between two runs of one plan. Fault kinds are drawn from a shuffled
deck, so a run long enough to go through the deck has them all.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

from _soak_faults import MID_READ, OUTSIDE, SENDERS, URC_MODES, Action, Episode
from _soak_texts import STYLES, chunks_for, compose, parts_of, token, undecodable

from modemd.at.cms import CmsClass

LATE_AFTER = 50.0  # > reassembly timeout (15 s) + the daemon's 30 s flush period
LINE_FAULTS = ("hang", "slow", "no-network", "drop-reports", "noise", "raw", "no-sim",
               "unplug", "unplug-rename", "reboot", "split-pdu", "kill-mid-cmgs",
               "unplug-before-prompt", "unplug-after-pdu", *MID_READ,
               *(f"urc:{mode}" for mode in URC_MODES),
               *(f"cms:{kind.name}" for kind in CmsClass))
DAEMON_EVENTS = ("kill", "stop", "restart")
FAILING = {"+12015554001": 0x41, "+12015554002": 0x46}  # report: failed, validity expired


@dataclass(frozen=True)
class Pace:
    """Mean seconds between two actions of a stream."""

    agent: float = 2.0
    network: float = 4.0
    fault: float = 6.0
    daemon: float = 25.0


def plan(seed: int, numbers: dict[str, str], seconds: float, pace: Pace = Pace()) -> list[Action]:
    """numbers: line name -> its number. The whole run's actions, in time order."""
    actions = [Action(0.0, "reports", {"status_for": FAILING})]
    actions += _agents(random.Random(f"{seed}:agents"), numbers, seconds, pace.agent)
    actions += _network(random.Random(f"{seed}:network"), list(numbers), seconds, pace.network)
    actions += _faults(random.Random(f"{seed}:faults"), list(numbers), seconds, pace.fault)
    actions += _daemon(random.Random(f"{seed}:daemon"), seconds, pace.daemon)
    return sorted(actions, key=lambda a: a.at)


def as_json(actions: list[Action]) -> list[dict]:
    return [asdict(action) for action in actions]


def _times(rng: random.Random, seconds: float, gap: float, start: float = 1.0) -> list[float]:
    times, t = [], start + rng.expovariate(1 / gap)
    while t < seconds:
        times.append(round(t, 3))
        t += rng.expovariate(1 / gap)
    return times


# ---- agents ---------------------------------------------------------------------------

def _agents(rng: random.Random, numbers: dict[str, str], seconds: float,
            gap: float) -> list[Action]:
    actions = []
    for n, at in enumerate(_times(rng, seconds, gap)):
        if rng.random() < 0.05:
            actions.append(Action(at, "resend", {"pick": rng.randrange(1000)}))
            continue
        style = rng.choice(STYLES)
        tok = token("o", n)
        text = compose(rng, tok, style, chunks_for(rng, style, rng.random() < 0.4))
        actions.append(Action(at, "send", {"token": tok, "text": text,
                                           "to": _destination(rng, numbers),
                                           "line": _pin(rng, numbers)}))
    return actions


def _destination(rng: random.Random, numbers: dict[str, str]) -> str:
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(sorted(numbers.values()))
    if roll < 0.9:
        return rng.choice(OUTSIDE)
    return rng.choice(sorted(FAILING))


def _pin(rng: random.Random, numbers: dict[str, str]) -> str | None:
    return rng.choice(sorted(numbers)) if rng.random() < 0.2 else None


# ---- the network ----------------------------------------------------------------------

def _network(rng: random.Random, lines: list[str], seconds: float, gap: float) -> list[Action]:
    references: dict[tuple[str, str], int] = {}
    actions: list[Action] = []
    counter = iter(range(10**5))
    for at in _times(rng, seconds, gap):
        roll = rng.random()
        line = rng.choice(lines)
        if roll < 0.1:
            actions.append(Action(at, "garbage", {"line": line,
                                                  "pdu": undecodable(rng, next(counter))}))
        elif roll < 0.18:
            actions += _burst(rng, at, line, references, counter)
        else:
            actions += _inject(rng, at, line, references, next(counter), seconds)
    return actions


def _inject(rng: random.Random, at: float, line: str, references: dict, n: int,
            seconds: float, mode: str | None = None) -> list[Action]:
    sender = rng.choice(SENDERS)
    style = rng.choice(STYLES)
    tok = token("i", n)
    text = compose(rng, tok, style, chunks_for(rng, style, rng.random() < 0.6))
    total = len(parts_of(text))
    wide = total > 1 and rng.random() < 0.2
    key = (sender, line)
    references[key] = (references.get(key, rng.randrange(256)) + 1) % (65536 if wide else 256)
    # a part that never comes keeps its message waiting LATE_AFTER: not at the very end
    mode = mode or _mode(rng, total, at + LATE_AFTER < seconds - 5)
    order, late = _order(rng, total, mode)
    args = {"token": tok, "line": line, "sender": sender, "text": text, "wide": wide,
            "reference": references[key] if total > 1 else None, "mode": mode,
            "parts": order, "late": late, "gap": round(rng.choice((0, 0, 0.2, 1.0)), 2)}
    actions = [Action(at, "inject", args)]
    if late:
        actions.append(Action(round(at + LATE_AFTER, 3), "late", {"token": tok}))
    return actions


def _mode(rng: random.Random, total: int, missing_fits: bool) -> str:
    if total == 1:
        return rng.choice(("plain", "plain", "duplicate"))
    modes = ["plain", "shuffle", "duplicate"] + (["drop", "late", "late"] if missing_fits else [])
    return rng.choice(modes)


def _order(rng: random.Random, total: int, mode: str) -> tuple[list[int], list[int]]:
    """(parts delivered now, in order, repeats allowed; parts delivered LATE_AFTER later)."""
    order = list(range(1, total + 1))
    if mode == "shuffle":
        rng.shuffle(order)
    elif mode == "duplicate":
        order.insert(rng.randrange(total + 1), rng.choice(order))
    elif mode in ("drop", "late"):
        missing = rng.choice(order)
        return [p for p in order if p != missing], [missing] if mode == "late" else []
    return order, []


def _burst(rng: random.Random, at: float, line: str, references: dict,
           counter) -> list[Action]:
    """A SIM with room for two more, then a burst the network must hold and deliver."""
    actions = [Action(at, "capacity", {"line": line, "free": 2})]
    for i in range(rng.randint(4, 8)):
        actions += _inject(rng, round(at + 0.1 + 0.05 * i, 3), line, references,
                           next(counter), 0.0, mode="plain")
    return [*actions, Action(round(at + 15, 3), "capacity", {"line": line, "restore": True})]


# ---- faults on the lines ----------------------------------------------------------------

def _faults(rng: random.Random, lines: list[str], seconds: float, gap: float) -> list[Action]:
    deck: list[str] = []
    free_at = dict.fromkeys(lines, 0.0)
    actions: list[Action] = []
    for n, at in enumerate(_times(rng, seconds, gap, start=3.0)):
        if not deck:
            deck = list(LINE_FAULTS)
            rng.shuffle(deck)
        free = [line for line in lines if free_at[line] <= at]
        if not free:
            continue
        line = rng.choice(free)
        episode = Episode(rng, line, at, 90000 + n).build(deck.pop())
        free_at[line] = max(_lasts_until(a) for a in episode) + 2.0
        actions += episode
    return actions


def _lasts_until(action: Action) -> float:
    """When an action's effect is over: a hang, unplug or reboot lasts its seconds."""
    lasting = action.kind in ("unplug", "reboot") or action.args.get("fault") == "hang"
    return action.at + (float(action.args.get("seconds", 0)) if lasting else 0.0)


# ---- the daemon itself --------------------------------------------------------------------

def _daemon(rng: random.Random, seconds: float, gap: float) -> list[Action]:
    deck: list[str] = []
    actions = []
    for at in _times(rng, seconds, gap, start=5.0):
        if not deck:
            deck = list(DAEMON_EVENTS)
            rng.shuffle(deck)
        kind = deck.pop()
        if kind == "kill":
            actions.append(Action(at, "kill", {"restart_after": round(rng.uniform(0.3, 3), 2)}))
        elif kind == "stop":
            actions.append(Action(at, "stop", {"seconds": round(rng.uniform(0.3, 3), 2)}))
        else:
            actions.append(Action(at, "restart", {"why": "planned restart"}))
    return actions
