"""The soak's plan: reproducible from its seed, and a long enough run has every fault."""

from __future__ import annotations

from collections import Counter

import pytest
from _soak_faults import cms_codes
from _soak_plan import LATE_AFTER, LINE_FAULTS, plan
from _soak_texts import tokens_in

from modemd.at.cms import CmsClass
from modemd.sms import Undecodable, decode_from_sc, split_text

NUMBERS = {f"line{i}": f"+120155501{i:02d}" for i in range(1, 5)}


def _cms(code: int) -> str:
    return next(f"cms:{name}" for name, codes in cms_codes().items() if code in codes)


def _timing(args: dict) -> str:
    if args.get("urc_mode") not in (None, "immediate"):
        return f"urc:{args['urc_mode']}"
    return "split-pdu" if args.get("split_pdu") else "timing back"


def _kind(action) -> str:
    """The plan's action as the LINE_FAULTS name it came from."""
    args = action.args
    names = {
        "mid_read": lambda: f"{args['how']}-mid-{args['phase']}",
        "unplug_mid_cmgs": lambda: f"unplug-{args['phase']}",
        "unplug": lambda: "unplug-rename" if args["rename"] else "unplug",
        "timing": lambda: _timing(args),
        "fault": lambda: _cms(args["code"]) if args["fault"] == "cms" else args["fault"],
    }
    return names.get(action.kind, lambda: action.kind.replace("_", "-"))()


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    assert plan(5, NUMBERS, 120) == plan(5, NUMBERS, 120)
    assert plan(5, NUMBERS, 120) != plan(6, NUMBERS, 120)


def test_ten_minutes_have_every_fault_every_cms_class_and_every_daemon_event():
    actions = plan(1, NUMBERS, 600)
    kinds = Counter(_kind(a) for a in actions)
    assert set(LINE_FAULTS) <= set(kinds), set(LINE_FAULTS) - set(kinds)
    assert {f"cms:{c.name}" for c in CmsClass} <= set(kinds)
    assert all(kinds[k] for k in ("kill", "stop", "restart", "resend", "garbage", "capacity"))
    modes = Counter(a.args["mode"] for a in actions if a.kind == "inject")
    assert set(modes) == {"plain", "shuffle", "duplicate", "drop", "late"}


def test_every_part_of_every_text_carries_its_token():
    for action in plan(2, NUMBERS, 300):
        if action.kind in ("send", "inject"):
            token, text = action.args["token"], action.args["text"]
            wide = action.args.get("wide", False)
            assert all(tokens_in(part) == {token} for part in split_text(text, wide).parts)


def test_late_parts_come_after_the_reassembly_timeout_and_before_the_end():
    actions = plan(3, NUMBERS, 300)
    injected = {a.args["token"]: a for a in actions if a.kind == "inject"}
    late = [a for a in actions if a.kind == "late"]
    assert late
    for action in late:
        first = injected[action.args["token"]]
        assert action.at - first.at == pytest.approx(LATE_AFTER) and action.at < 300
        assert first.args["late"] and not set(first.args["late"]) & set(first.args["parts"])


def test_garbage_is_undecodable_and_unique():
    pdus = [a.args["pdu"] for a in plan(4, NUMBERS, 600) if a.kind == "garbage"]
    assert len(pdus) == len(set(pdus)) > 5
    assert all(isinstance(decode_from_sc(pdu), Undecodable) for pdu in pdus)


def test_one_sender_never_reuses_a_reference_on_a_line_within_a_run():
    seen = Counter((a.args["sender"], a.args["line"], a.args["reference"], a.args["wide"])
                   for a in plan(5, NUMBERS, 600)
                   if a.kind == "inject" and a.args["reference"] is not None)
    assert max(seen.values()) == 1
