"""Outbound invariants: each agent's message reached the network exactly once, or is
`unknown` because a crash/unplug hit it mid-send, or `failed` for an injected
permanent error; nothing twice without a resend; nothing left queued or sending;
a paused line waits for its cause to end. Pure functions over the records."""

from __future__ import annotations

import re

from _soak_facts import (
    STICKY,
    SUBMIT_WINDOW,
    Facts,
    Incident,
    cms_class,
    epoch,
    pdu_key,
    same_peer,
    tokens_of_message,
)
from _soak_texts import tokens_in

PERMANENT = ("PERMANENT", "MALFORMED")
SUBMITTED_ANYWAY = 197  # "duplicate rejected": the SC says it has it
GAVE_UP = re.compile(r"after (\d+) attempts")
PROMPT_WINDOW = 15.0  # a part's AT+CMGS follows its `sending` commit within this


def violation(invariant: str, subject: str, detail: str) -> dict:
    return {"invariant": invariant, "subject": subject, "detail": detail}


def check_outbound(facts: Facts, database: dict, log: dict) -> list[dict]:
    found = _queueing(database, log)
    failing = set(log.get("failing", {}))
    unknown_parts = []
    for send in log.get("sends", []):
        message = facts.outbound_by_id.get(send.get("id"))
        if message is None:
            continue
        found += _one_message(facts, message, send, failing)
        unknown_parts += [(message, p) for p in message["parts"]
                          if message["status"] == "unknown" and p["status"] == "unknown"]
    found += _unknowns(facts, unknown_parts)
    found += _strangers(facts)
    return found + _paused_lines(facts)


def _queueing(database: dict, log: dict) -> list[dict]:
    """An accepted send is in the database as typed; a refused one queued nothing."""
    found = []
    by_id = {m["id"]: m for m in database.get("outbound", [])}
    texts = [m.get("text", "") for m in database.get("outbound", [])]
    for send in log.get("sends", []):
        tok = send["token"]
        if send.get("error"):
            if any(tok in text for text in texts):
                found.append(violation("refused send queued", tok, send["error"]))
            continue
        message = by_id.get(send.get("id"))
        if message is None:
            found.append(violation("lost", tok, f"send said id {send.get('id')}; no such row"))
        elif message["text"] != send["text"] or not same_peer(message["peer"], send["to"]):
            found.append(violation("wrong text", tok, f"queued {message['peer']} "
                                   f"{message['text']!r}, agent sent {send['text']!r}"))
    return found


def reach(facts: Facts, part: dict) -> int:
    """How often the network got the part; a 197 counts (the SC says it has it)."""
    key = pdu_key(part["pdu"])
    said_duplicate = sum(r["cms"] == SUBMITTED_ANYWAY for r in facts.refusals.get(key, []))
    return facts.accepted[key] + said_duplicate


def _one_message(facts: Facts, message: dict, send: dict, failing: set[str]) -> list[dict]:
    tok, status = send["token"], message["status"]
    allowed = 1 + facts.resends[message["id"]]
    counts = {p["seq"]: reach(facts, p) for p in message["parts"]}
    found = [violation("duplicated", tok, f"part {seq} reached the network {n} times "
                       f"({allowed - 1} resend(s)); status {status}")
             for seq, n in counts.items() if n > allowed]
    if status in ("queued", "sending"):
        found.append(violation("stuck", tok, f"still {status} at the end "
                               f"(error: {message.get('error')})"))
    elif status in ("sent", "delivered", "expired"):
        found += [violation("lost", tok, f"{status}, but the network never got part {seq}")
                  for seq, n in counts.items() if n == 0]
    elif status == "failed" and not _failure_explained(facts, message, send, failing):
        found.append(violation("failed without cause", tok,
                               f"failed ({message.get('error')}) but no permanent error was "
                               f"injected for it; attempts {message.get('attempts')}"))
    return found


def _failure_explained(facts: Facts, message: dict, send: dict, failing: set[str]) -> bool:
    error = message.get("error") or ""
    refusals = [r for p in message["parts"] for r in facts.refusals.get(pdu_key(p["pdu"]), [])]
    for refusal in refusals:
        if cms_class(refusal["cms"]) in PERMANENT and re.search(rf"\b{refusal['cms']}\b", error):
            return True
    if "TP-ST" in error and send["to"] in failing:
        return True
    gave_up = GAVE_UP.search(error)
    return bool(gave_up) and len(refusals) >= int(gave_up.group(1))


# ---- unknown: one per crash or unplug that hit it mid-send ---------------------------------

def _unknowns(facts: Facts, parts: list[tuple[dict, dict]]) -> list[dict]:
    found, used = [], set()
    for message, part in sorted(parts, key=lambda mp: began(mp[1]) or 0.0):
        tok = tokens_of_message(message)
        incident = _explain(facts, part, used)
        if incident is None:
            found.append(violation("unknown without cause", tok,
                                   f"part {part['seq']} unknown ({part.get('error')}); no "
                                   "crash, unplug, hang or ambiguous +CMS hit it mid-send"))
            continue
        if incident.kind != "kill" and not _prompted(facts, part):
            found.append(violation("unknown before the PDU", tok,
                                   f"part {part['seq']} unknown ({part.get('error')}) after "
                                   f"{incident.kind}, but the modem never gave the '> ' "
                                   "prompt: no PDU byte was written, so it is safe to resend"))
    return found


def began(part: dict) -> float | None:
    """When the part's send began: its earliest stamp (a later one may be rewritten)."""
    stamps = [epoch(part.get(key)) for key in ("submitted_at", "payload_at")]
    return min((s for s in stamps if s is not None), default=None)


def _explain(facts: Facts, part: dict, used: set) -> Incident | None:
    """The first incident not yet used that could have hit this part in flight."""
    line = facts.line_of_id.get(part.get("line_id"))
    start = began(part)
    if start is None:
        return None
    for index, incident in enumerate(facts.incidents):
        key = (index, line) if incident.line is None else (index, None)
        if key in used or (incident.line is not None and incident.line != line):
            continue
        if incident.pdu is not None and incident.pdu != pdu_key(part["pdu"]):
            continue
        if incident.end >= start - 1.0 and incident.start <= start + SUBMIT_WINDOW:
            used.add(key)
            return incident
    return None


def _prompted(facts: Facts, part: dict) -> bool:
    """Did the part's AT+CMGS get its '> ' (so PDU bytes may have gone out)?"""
    line = facts.line_of_id.get(part.get("line_id"))
    start = began(part) or 0.0
    for attempt in facts.attempts.get(line, []):
        if start - 0.05 <= attempt.time <= start + PROMPT_WINDOW:
            return attempt.prompted
    return False


def _strangers(facts: Facts) -> list[dict]:
    """The network got a PDU that no queued part has."""
    known = {pdu_key(p["pdu"]) for p in facts.part_by_id.values()}
    return [violation("submitted unknown PDU", facts.accepted_by[key], key[:40])
            for key in facts.accepted if key not in known]


# ---- a paused line waits for its cause ---------------------------------------------------

def _paused_lines(facts: Facts) -> list[dict]:
    """After a sticky refusal, no AT+CMGS on that line until the daemon restarts."""
    first: dict[tuple[str, float], dict] = {}
    for records in facts.refusals.values():
        for refusal in records:
            if cms_class(refusal["cms"]) in STICKY:
                until = next((t for t in facts.starts if t > refusal["time"]), float("inf"))
                key = (refusal["line"], until)
                if key not in first or refusal["time"] < first[key]["time"]:
                    first[key] = refusal
    found = []
    for (line, until), refusal in sorted(first.items(), key=lambda kv: kv[1]["time"]):
        again = [a.time for a in facts.attempts.get(line, [])
                 if refusal["time"] + 0.5 < a.time < until]
        if again:
            tok = ",".join(sorted(tokens_in(refusal.get("text", "")))) or line
            found.append(violation(
                "resubmitted while paused", tok,
                f"{line} refused with +CMS {refusal['cms']} ({cms_class(refusal['cms'])}) at "
                f"{refusal['time']:.1f}; the line then tried {len(again)} more AT+CMGS before "
                f"any restart, the first {again[0] - refusal['time']:.1f} s later"))
    return found
