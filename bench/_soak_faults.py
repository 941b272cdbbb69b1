"""The fault stream's episodes: one fault on one line, its start and (unless it ends
by itself) its end. Part of the soak's plan (bench/_soak_plan.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from _soak_facts import STICKY
from _soak_texts import compose, noise_bytes, parts_of, token

from modemd.at.cms import classify

URC_MODES = ("in_response", "after_prompt", "coalesce")
OUTSIDE = tuple(f"+1201555{3000 + i:04d}" for i in range(8))  # not a rig line
SENDERS = ("+14155550150", "+14155550151", "+14155550152", "+14155550153", "+447946000154",
           "ACME", "BankAlert", "Parcel24")
# an inbound message read (AT+CMGR) or deleted (AT+CMGD) when the daemon dies or the plug goes
MID_READ = ("kill-mid-read", "kill-mid-delete", "unplug-mid-read", "unplug-mid-delete")


@dataclass(frozen=True)
class Action:
    at: float  # seconds from the start of the run
    kind: str
    args: dict = field(default_factory=dict)


def cms_codes() -> dict[str, list[int]]:
    """+CMS ERROR codes by class, from the driver's own table (UNKNOWN: codes it lacks)."""
    by_class: dict[str, list[int]] = {}
    for code in range(1, 600):
        by_class.setdefault(classify(code).name, []).append(code)
    return by_class


class Episode:
    """Builds the actions of one episode; each kind is one method."""

    def __init__(self, rng: random.Random, line: str, at: float, number: int) -> None:
        self.rng, self.line, self.at, self.number = rng, line, at, number
        self.tok = token("o", number)  # an agent's message that the episode sends

    def build(self, kind: str) -> list[Action]:
        if kind in MID_READ:
            how, _, phase = kind.partition("-mid-")
            return self.mid_read(how, phase)
        if kind.startswith("cms:"):
            return self.cms(kind.removeprefix("cms:"))
        if kind.startswith("urc:"):
            return self.timing("urc_mode", kind.removeprefix("urc:"), "immediate")
        if kind.startswith("unplug-") and kind != "unplug-rename":
            return self.unplug_mid_cmgs(kind.removeprefix("unplug-"))
        return getattr(self, kind.replace("-", "_"))()

    def _act(self, kind: str, t: float | None = None, **args: object) -> Action:
        return Action(round(self.at if t is None else t, 3), kind, {"line": self.line, **args})

    def _fault(self, name: str, t: float | None = None, **args: object) -> Action:
        return self._act("fault", t, fault=name, **args)

    def _clear_after(self, low: float, high: float) -> Action:
        return self._fault("clear", self.at + self.rng.uniform(low, high))

    def _seconds(self, low: float, high: float) -> float:
        return round(self.rng.uniform(low, high), 2)

    def cms(self, name: str) -> list[Action]:
        code = self.rng.choice(cms_codes()[name])
        if name in STICKY:  # lasts until the operator fixes it and restarts the daemon
            end = self.at + self.rng.uniform(20, 40)
            return [self._fault("cms", code=code, count=999), self._fault("clear", end),
                    Action(round(end + 1, 3), "restart", {"why": f"+CMS {code} fixed"})]
        return [self._fault("cms", code=code, count=self.rng.randint(1, 2)),
                self._fault("clear", self.at + self.rng.uniform(15, 25))]

    def timing(self, key: str, value: object, back: object) -> list[Action]:
        return [self._act("timing", **{key: value}),
                self._act("timing", self.at + self.rng.uniform(10, 25), **{key: back})]

    def hang(self) -> list[Action]:
        return [self._fault("hang", seconds=self._seconds(2, 8),
                            wake_on_esc=self.rng.random() < 0.3)]

    def slow(self) -> list[Action]:
        return [self._fault("slow", seconds=self._seconds(0.3, 2.0)), self._clear_after(8, 20)]

    def no_network(self) -> list[Action]:
        return [self._fault("no-network", state=self.rng.choice((0, 2, 3))),
                self._clear_after(3, 12)]

    def drop_reports(self) -> list[Action]:
        return [self._fault("drop-reports"), self._clear_after(10, 25)]

    def noise(self) -> list[Action]:
        return [self._fault("noise", count=self.rng.randint(1, 4)), self._clear_after(5, 8)]

    def raw(self) -> list[Action]:
        return [self._act("raw", hex=noise_bytes(self.rng))]

    def no_sim(self) -> list[Action]:
        return [self._fault("no-sim"), self._clear_after(3, 10)]

    def reboot(self) -> list[Action]:
        return [self._act("reboot", seconds=self._seconds(0.5, 3))]

    def split_pdu(self) -> list[Action]:
        return self.timing("split_pdu", True, False)

    def unplug(self, rename: bool = False) -> list[Action]:
        return [self._act("unplug", seconds=self._seconds(1, 6), rename=rename)]

    def unplug_rename(self) -> list[Action]:
        return self.unplug(rename=True)

    def _message(self) -> dict:
        return {"token": self.tok, "text": compose(self.rng, self.tok, "gsm", 2),
                "to": self.rng.choice(OUTSIDE)}

    def kill_mid_cmgs(self) -> list[Action]:
        return [self._act("kill_mid_cmgs", slow=3.0, restart_after=self._seconds(0.5, 2),
                          **self._message())]

    def unplug_mid_cmgs(self, phase: str) -> list[Action]:
        return [self._act("unplug_mid_cmgs", phase=phase, seconds=self._seconds(1, 4),
                          **self._message())]

    def mid_read(self, how: str, phase: str) -> list[Action]:
        tok = token("i", self.number)
        text = compose(self.rng, tok, "gsm", 2)
        inject = {"token": tok, "line": self.line, "sender": self.rng.choice(SENDERS),
                  "text": text, "wide": False, "reference": None, "mode": "plain",
                  "parts": list(range(1, len(parts_of(text)) + 1)), "late": [], "gap": 0}
        return [self._act("mid_read", how=how, phase=phase, seconds=self._seconds(1, 4),
                          restart_after=self._seconds(0.5, 2), inject=inject)]
