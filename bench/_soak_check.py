"""The soak's verdict: every invariant checked over the emulator's record, the
database's record and the run log. A pure function, so hand-made records can show
that each check fails when it should (tests/soak/test_check.py)."""

from __future__ import annotations

import signal
from collections import Counter

from _soak_check_in import (
    check_committed,
    check_inbound,
    check_quarantine,
    check_reports,
    check_storage,
    expected_inbound,
)
from _soak_check_out import check_outbound, violation
from _soak_facts import Facts, cms_class, derive

EARLY_TERM = 2.0  # seconds after its start a SIGTERM may still find the default handler
AFTER_QUIET = 40.0  # a session that failed waits up to 30 s before the next one


def check(emulator: dict, database: dict, log: dict) -> dict:
    """{"violations": [{"invariant", "subject", "detail"}], "counts": {...}}."""
    facts = derive(emulator, database, log)
    violations = (check_outbound(facts, database, log)
                  + check_inbound(facts, database, log)
                  + check_quarantine(facts, database, log)
                  + check_committed(facts, emulator, database)
                  + check_storage(emulator)
                  + check_reports(facts, emulator, database)
                  + check_daemon(log)
                  + check_line_states(log))
    return {"violations": violations, "counts": counts(facts, database, log, violations)}


def check_daemon(log: dict) -> list[dict]:
    """The daemon never dies by itself, and SIGTERM ends it with exit status 0 (or by the
    signal itself when it came before the handler was in place, as systemd allows)."""
    found, started, termed = [], 0.0, 0.0
    for event in log.get("daemon", []):
        started = event["time"] if event["event"] == "start" else started
        termed = event["time"] if event["event"] == "term" else termed
        if event["event"] == "exit":
            found.append(violation("daemon died", f"exit {event.get('code')}",
                                   f"at {event['time']:.1f} without being told to"))
        elif event["event"] == "exited" and event.get("code") != 0 and not (
                event.get("code") == -signal.SIGTERM and termed - started < EARLY_TERM):
            found.append(violation("daemon exit status", f"exit {event.get('code')}",
                                   f"SIGTERM at {termed:.1f} must end it with 0"))
    return found


def check_line_states(log: dict) -> list[dict]:
    """`unresponsive` only for a modem that really went quiet: hung, or slower than the
    daemon waits. A modem that answered (an error, garbage) is not unresponsive."""
    quiet = _quiet_spans(log)
    found = []
    for change in log.get("line_states", []):
        if change["state"] != "unresponsive":
            continue
        if not any(line == change["line"] and start <= change["time"] <= end + AFTER_QUIET
                   for line, start, end in quiet):
            found.append(violation("unresponsive though it answered", change["line"],
                                   f"at {change['time']:.1f}: {change.get('reason')}"))
    return found


def _quiet_spans(log: dict) -> list[tuple[str, float, float]]:
    """(line, start, end) of hang and slow faults (slow lasts until the line's next clear)."""
    spans = []
    faults = sorted(log.get("faults", []), key=lambda f: f["time"])
    for index, fault in enumerate(faults):
        kind = fault["args"].get("fault")
        if kind == "hang":
            spans.append((fault["line"], fault["time"],
                          fault["time"] + float(fault["args"].get("seconds") or 600)))
        elif kind == "slow":
            end = next((f["time"] for f in faults[index + 1:] if f["line"] == fault["line"]
                        and f["args"].get("fault") == "clear"), float("inf"))
            spans.append((fault["line"], fault["time"], end))
    return spans


def counts(facts: Facts, database: dict, log: dict, violations: list[dict]) -> dict:
    outbound = Counter(m["status"] for m in database.get("outbound", []))
    inbound = Counter(m["status"] for m in database.get("inbound", []))
    by_invariant = Counter(v["invariant"] for v in violations)
    daemon = Counter(e["event"] for e in log.get("daemon", []))
    return {
        "out_queued": sum(1 for s in log.get("sends", []) if not s.get("error")),
        "out_refused": sum(1 for s in log.get("sends", []) if s.get("error")),
        "out_resent": sum(facts.resends.values()),
        "out_status": dict(sorted(outbound.items())),
        "submissions": sum(facts.accepted.values()),
        "refusals": sum(len(r) for r in facts.refusals.values()),
        "in_expected": len(expected_inbound(facts, log)),
        "in_injected": sum(1 for i in log.get("injections", []) if not i.get("error")),
        "in_status": dict(sorted(inbound.items())),
        "garbage": len(log.get("garbage", [])),
        "quarantined": len(database.get("quarantine", [])),
        "reports": len(database.get("reports", [])),
        "orphan_reports": sum(1 for r in database.get("reports", []) if r.get("part_id") is None),
        "faults": dict(sorted(Counter(fault_name(f) for f in log.get("faults", [])
                                      if not f.get("end")).items())),
        "kills": daemon["kill"], "stops": daemon["stop"], "starts": daemon["start"],
        "lost": by_invariant["lost"] + by_invariant["inbound lost"]
        + by_invariant["not committed"],
        "duplicated": by_invariant["duplicated"] + by_invariant["inbound duplicated"],
        "unknown": outbound.get("unknown", 0),
        "violations": len(violations),
    }


def fault_name(fault: dict) -> str:
    """A fault's kind for the table: cms faults by class, timing by mode."""
    args = fault["args"]
    if fault["kind"] == "fault":
        name = args["fault"]
        return f"cms {cms_class(args.get('code')).lower()}" if name == "cms" else name
    if fault["kind"] == "timing":
        return "urc " + args["urc_mode"] if args.get("urc_mode") else "split-pdu"
    if fault["kind"] == "mid_read":
        return f"{args.get('how')}-mid-{args.get('phase')}"
    if fault["kind"] == "unplug_mid_cmgs":
        return f"unplug-{args.get('phase')}"
    if fault["kind"] == "unplug" and args.get("rename"):
        return "unplug+rename"
    return fault["kind"].replace("_", "-")
