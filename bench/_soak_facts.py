"""What the invariant checks share, derived once from the two records and the run log.

The records are plain JSON-able dicts (what bench/_soak_collect.py gathers):

emulator: {"lines": {NAME: {"number", "submitted", "refused", "received", "storage",
           "held", "plugged", "transcript"}}}   (the emulator's control ops, per line)
database: {"lines", "outbound" (each with "parts"), "inbound", "inbound_parts",
           "quarantine", "reports"}            (rows of the daemon's SQLite file)
log:      {"sends", "resends", "injections", "garbage", "faults", "daemon", "failing"}

Pure: nothing here reads a file or a clock.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from _soak_texts import tokens_in

from modemd.at.cms import classify

STICKY = ("SMSC_UNKNOWN", "LINE_CANNOT_SEND")  # only a restart, config or agent ends them
SUBMIT_WINDOW = 200.0  # seconds a send may stay in flight (+CMGS waits up to 180 s)


def pdu_key(pdu: str | None) -> str:
    return "".join((pdu or "").split()).upper()


def digits(number: str | None) -> str:
    return "".join(c for c in number or "" if c.isdigit())


def same_peer(a: str | None, b: str | None) -> bool:
    """E.164 numbers by their digits, alphanumeric senders as they are."""
    if digits(a) and digits(a) == digits(b):
        return True
    return (a or "").casefold() == (b or "").casefold()


def epoch(stamp: str | None) -> float | None:
    """The store's ISO 8601 'Z' stamps -> epoch seconds."""
    if not stamp:
        return None
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def cms_class(code: int | None) -> str:
    return classify(int(code)).name if code is not None else ""


@dataclass(frozen=True)
class Attempt:
    """One AT+CMGS as the modem saw it (its transcript)."""

    time: float
    prompted: bool = False  # "> " went out
    pdu_sent: bool = False  # Ctrl-Z came in
    answered: bool = False


@dataclass(frozen=True)
class Incident:
    """Something that may leave a send in flight `unknown`: kill -9, unplug, reboot, hang,
    an ambiguous +CMS. line None: every line (a kill)."""

    kind: str
    start: float
    end: float
    line: str | None = None
    pdu: str | None = None  # an ambiguous refusal names its part


@dataclass
class Facts:
    line_of_id: dict[int, str] = field(default_factory=dict)
    number_of: dict[str, str] = field(default_factory=dict)
    accepted: Counter = field(default_factory=Counter)  # PDU -> times the network took it
    accepted_by: dict[str, str] = field(default_factory=dict)  # PDU -> line that sent it
    accepted_text: dict[str, str] = field(default_factory=dict)  # PDU -> its part's text
    refusals: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    attempts: dict[str, list[Attempt]] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)  # daemon start times
    resends: Counter = field(default_factory=Counter)  # message id -> agent resends
    outbound_by_id: dict[int, dict] = field(default_factory=dict)
    part_by_id: dict[int, dict] = field(default_factory=dict)


def derive(emulator: dict, database: dict, log: dict) -> Facts:
    facts = Facts()
    for row in database.get("lines", []):
        facts.line_of_id[row["id"]] = row.get("name") or Path(row.get("port") or "").name
    for name, line in emulator["lines"].items():
        facts.number_of[name] = line["number"]
        for record in line.get("submitted", []):
            facts.accepted[pdu_key(record["pdu"])] += 1
            facts.accepted_by.setdefault(pdu_key(record["pdu"]), name)
            facts.accepted_text.setdefault(pdu_key(record["pdu"]), record.get("text", ""))
        for record in line.get("refused", []):
            facts.refusals[pdu_key(record["pdu"])].append({**record, "line": name})
        facts.attempts[name] = attempts(line.get("transcript", []))
    for message in database.get("outbound", []):
        facts.outbound_by_id[message["id"]] = message
        for part in message["parts"]:
            facts.part_by_id[part["id"]] = {**part, "message_id": message["id"]}
    facts.resends.update(r["id"] for r in log.get("resends", []) if not r.get("error"))
    facts.starts = sorted(e["time"] for e in log.get("daemon", []) if e["event"] == "start")
    facts.incidents = incidents(log, facts.refusals)
    return facts


def attempts(transcript: list[dict]) -> list[Attempt]:
    """Each AT+CMGS on a line and how far it got, from the modem's transcript."""
    found: list[Attempt] = []
    state: dict | None = None
    for entry in sorted(transcript, key=lambda e: e["time"]):
        text = entry["text"]
        if entry["dir"] == "rx" and "AT+CMGS=" in text.upper():
            if state is not None:
                found.append(Attempt(**state))
            state = {"time": entry["time"]}
        elif state is None:
            continue
        elif entry["dir"] == "tx" and "> " in text:
            state["prompted"] = True
        elif entry["dir"] == "rx" and "\x1a" in text:
            state["pdu_sent"] = True
        elif entry["dir"] == "tx" and ("+CMGS:" in text or "ERROR" in text):
            state["answered"] = True
    if state is not None:
        found.append(Attempt(**state))
    return found


def incidents(log: dict, refusals: dict[str, list[dict]]) -> list[Incident]:
    found = [Incident("kill", e["time"], e["time"]) for e in log.get("daemon", [])
             if e["event"] == "kill"]
    spans = {"unplug": "seconds", "reboot": "seconds", "hang": "seconds"}
    for fault in log.get("faults", []):
        kind = fault["args"].get("fault", fault["kind"])
        if kind in spans and not fault.get("error"):
            length = float(fault["args"].get(spans[kind]) or 0) + 1.0
            found.append(Incident(kind, fault["time"], fault["time"] + length, fault["line"]))
    for pdu, records in refusals.items():
        found += [Incident("ambiguous +CMS", r["time"], r["time"], r["line"], pdu)
                  for r in records if cms_class(r["cms"]) == "AMBIGUOUS"]
    return sorted(found, key=lambda i: i.start)


def tokens_of_message(message: dict) -> str:
    return ",".join(sorted(tokens_in(message.get("text", "")))) or f"message {message['id']}"
