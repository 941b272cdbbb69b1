"""The soak's report: one table of what happened, then every violation with the
message (token) it involves, grouped by invariant."""

from __future__ import annotations

from collections import defaultdict

MAX_PER_INVARIANT = 12  # the rest are in verdict.json


def _items(counts: dict) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items()) or "none"


def render(verdict: dict, *, seed: int, lines: int, minutes: float, wall: float,
           settle: float, quiet: bool, folder: str) -> str:
    c = verdict["counts"]
    rows = [
        ("messages out", f"{c['out_queued']} queued ({c['out_refused']} refused at send, "
                         f"{c['out_resent']} resent): {_items(c['out_status'])}"),
        ("network", f"{c['submissions']} parts accepted, {c['refusals']} refused with "
                    "+CMS ERROR"),
        ("messages in", f"{c['in_expected']} expected ({c['in_injected']} injected, the rest "
                        f"line to line): {_items(c['in_status'])}"),
        ("undecodable", f"{c['garbage']} injected, {c['quarantined']} quarantined"),
        ("reports", f"{c['reports']} stored, {c['orphan_reports']} orphaned"),
        ("faults", _items(c["faults"])),
        ("daemon", f"{c['kills']} kill -9, {c['stops']} SIGSTOP/SIGCONT, "
                   f"{c['starts']} starts"),
        ("outcome", f"lost {c['lost']}, duplicated {c['duplicated']}, unknown {c['unknown']}, "
                    f"quarantined {c['quarantined']}, violations {c['violations']}"),
        ("wall time", f"{wall:.0f} s ({minutes:g} min of faults, settle {settle:.1f} s"
                      f"{'' if quiet else ', NOT quiet at the end'})"),
    ]
    width = max(len(name) for name, _ in rows)
    head = [f"modemd soak: seed {seed}, {lines} lines", f"folder (kept): {folder}", ""]
    body = [f"{name:<{width}}  {value}" for name, value in rows]
    return "\n".join(head + body + [""] + violations_text(verdict["violations"]))


def violations_text(violations: list[dict]) -> list[str]:
    if not violations:
        return ["no invariant violated"]
    grouped: dict[str, list[dict]] = defaultdict(list)
    for item in violations:
        grouped[item["invariant"]].append(item)
    out = [f"{len(violations)} violation(s):"]
    for invariant, items in sorted(grouped.items(), key=lambda kv: -len(kv[1])):
        out.append(f"  {invariant} ({len(items)}):")
        out += [f"    {v['subject']}: {v['detail']}" for v in items[:MAX_PER_INVARIANT]]
        if len(items) > MAX_PER_INVARIANT:
            out.append(f"    ... {len(items) - MAX_PER_INVARIANT} more in verdict.json")
    return out
