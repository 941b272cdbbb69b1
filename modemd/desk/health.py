"""The health judgement of `modemd health` and GET /v1/health: each check names its
problem with a state, the worst state wins, and the result reads as one
monitoring-plugin line with perfdata."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from modemd.desk.liveness import HEALTHY, STARTING, daemon_state, duration
from modemd.store import LineState, Store
from modemd.store.runs import STALE_SECONDS
from modemd.store.states import LINE_TROUBLE

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
NAMES = ("OK", "WARNING", "CRITICAL", "UNKNOWN")
REPORT_WINDOW = timedelta(hours=24)
REASON_WIDTH = 80
_WITH_LINES = (HEALTHY, "hung")  # a run whose lines can be told: it has a started_at


@dataclass(frozen=True)
class Limits:
    queue_warn: float = 300.0  # seconds the oldest queued message may wait
    queue_crit: float = 1800.0
    ratio_warn: float = 90.0  # percent of reports matched to a message, 24 h
    ratio_crit: float = 50.0
    ratio_min: int = 20  # fewer reports than this say nothing about matching


def evaluate(store: Store, database: Path, limits: Limits) -> dict:
    """Everything health reports, read in one snapshot of the database."""
    with store.database.snapshot():
        daemon = daemon_state(store, database)
        lines = _lines(store, daemon)
        queue, reports = store.stats.queue(), store.stats.reports(REPORT_WINDOW)
        disk = store.database.disk_state()
    reports = {**reports, "total": reports["matched"] + reports["orphaned"],
               "window_hours": REPORT_WINDOW.total_seconds() / 3600}
    problems = sorted(_daemon(daemon) + _line_problems(lines) + _queue(queue, limits)
                      + _reports(reports, limits) + _disk(disk),
                      key=lambda problem: -problem["state"])
    code = max((problem["state"] for problem in problems), default=OK)
    result = {"state": NAMES[code], "code": code, "problems": problems, "daemon": daemon,
              "lines": lines, "queue": queue, "reports": reports, "database": disk,
              "limits": asdict(limits)}
    return {**result, "summary": summary(result, limits)}


def unknown(reason: str) -> dict:
    """The answer when nothing could be judged (no database, a bad option)."""
    problem = {"check": "health", "state": UNKNOWN, "text": reason}
    return {"state": "UNKNOWN", "code": UNKNOWN, "problems": [problem],
            "summary": f"MODEMD UNKNOWN - {reason}"}


def _problem(check: str, state: int, text: str) -> list[dict]:
    return [{"check": check, "state": state, "text": text}]


def _daemon(daemon: dict) -> list[dict]:
    if daemon["state"] == HEALTHY:
        return []
    return _problem("daemon", WARNING if daemon["state"] == STARTING else CRITICAL,
                    f"daemon {daemon['text']}")


def _lines(store: Store, daemon: dict) -> dict | None:
    """The lines this run has seen (not those of earlier runs), or None without a run."""
    if daemon["state"] not in _WITH_LINES:
        return None
    seen = [line for line in store.views.lines() if line["state"] != LineState.STOPPED
            and line["last_seen_at"] >= daemon["started_at"]]
    down = [{"name": line["name"] or line["own_number"] or line["iccid"] or f"#{line['id']}",
             "state": line["state"], "reason": line["reason"]}
            for line in seen if line["state"] in LINE_TROUBLE]
    return {"seen": len(seen), "ok": sum(line["state"] == LineState.OK for line in seen),
            "down": down}


def _line_problems(lines: dict | None) -> list[dict]:
    if lines is None:
        return []
    found = [_problem("line", WARNING, f"line {line['name']} {line['state']}"
                      + (f" ({_short(line['reason'])})" if line["reason"] else ""))[0]
             for line in lines["down"]]
    if not lines["ok"]:
        found += _problem("lines", CRITICAL, f"no line ok ({lines['seen']} seen by this run)")
    return found


def _short(reason: str, width: int = REASON_WIDTH) -> str:
    """Plugin output is read on a small screen and cut by NRPE: the JSON has it all."""
    return reason if len(reason) <= width else reason[: width - 1] + "…"


def _queue(queue: dict, limits: Limits) -> list[dict]:
    oldest = queue["oldest_seconds"] or 0.0
    for limit, state in ((limits.queue_crit, CRITICAL), (limits.queue_warn, WARNING)):
        if oldest > limit:
            return _problem("queue", state, f"queue: the oldest of {queue['depth']} "
                            f"message(s) has waited {duration(oldest)} (over {limit:g} s)")
    return []


def _reports(reports: dict, limits: Limits) -> list[dict]:
    if reports["ratio"] is None or reports["total"] < limits.ratio_min:
        return []
    percent = reports["ratio"] * 100
    for limit, state in ((limits.ratio_crit, CRITICAL), (limits.ratio_warn, WARNING)):
        if percent < limit:
            return _problem("reports", state, f"reports: {percent:.0f}% of {reports['total']} "
                            f"in 24 h matched a message (under {limit:g}%)")
    return []


def _disk(disk: dict) -> list[dict]:
    if not disk["full"]:
        return []
    return _problem("database", CRITICAL, f"database disk full at {disk['path']} "
                    f"({disk['free_bytes']} bytes free): nothing new can be stored")


def summary(result: dict, limits: Limits) -> str:
    """MODEMD STATE - problems; overview | perfdata (the monitoring-plugin format)."""
    lines, queue, reports = result["lines"], result["queue"], result["reports"]
    shown = (f"{lines['ok']}/{lines['seen']} lines ok" if lines
             else "lines not checked (daemon down)")
    shown += f", queue {queue['depth']} (oldest {duration(queue['oldest_seconds'] or 0)})"
    if reports["total"] >= limits.ratio_min and reports["ratio"] is not None:
        shown += f", reports {reports['ratio'] * 100:.0f}% matched"
    else:
        shown += f", {reports['total']} report(s) in 24 h (too few to judge matching)"
    text = "; ".join([*(problem["text"] for problem in result["problems"]), shown])
    return f"MODEMD {result['state']} - {text} | {perfdata(result, limits)}"


def perfdata(result: dict, limits: Limits) -> str:
    """label=value[unit];warn;crit;min;max — ranges "N:" alert below N."""
    lines, queue, reports = result["lines"] or {}, result["queue"], result["reports"]
    age = result["daemon"]["heartbeat_age_seconds"]
    judged = reports["ratio"] is not None and reports["total"] >= limits.ratio_min
    ratio = f"{reports['ratio'] * 100:.1f}%" if judged else "U"  # U: undetermined
    values = [
        f"lines_ok={lines.get('ok', 0)};;;0;{lines.get('seen', 0)}",
        f"lines_down={len(lines.get('down', []))};;;0",
        f"queue_depth={queue['depth']};;;0",
        f"queue_oldest={queue['oldest_seconds'] or 0:.0f}s;{limits.queue_warn:g};"
        f"{limits.queue_crit:g};0",
        f"reports_matched={ratio};{limits.ratio_warn:g}:;{limits.ratio_crit:g}:;0;100",
        f"reports={reports['total']};;;0",
        "heartbeat_age=" + ("U" if age is None else f"{age:.0f}s") + f";;{STALE_SECONDS:g};0",
    ]
    return " ".join(values)
