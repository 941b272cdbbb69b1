"""Inbound invariants: each message stored exactly once with its exact text (incomplete
only when a part really never came; a late part merges), undecodable input in
quarantine, everything the network handed a line committed, every SIM storage empty,
every status report on its own part or kept as an orphan. Pure functions."""

from __future__ import annotations

from _soak_check_out import violation
from _soak_facts import Facts, pdu_key, same_peer, tokens_of_message
from _soak_texts import tokens_in


def expected_inbound(facts: Facts, log: dict) -> list[dict]:
    """What must be in the inbox: the network's injections and the agents' messages the
    network carried to another line. delivered: the part numbers that really came."""
    expected = []
    for injection in log.get("injections", []):
        if injection.get("error"):
            continue
        delivered = set(injection["parts"])
        if injection.get("late_done"):
            delivered |= set(injection["late"])
        segments = injection["segments"]
        expected.append({"token": injection["token"], "line": injection["line"],
                         "peer": injection["sender"], "text": injection["text"],
                         "segments": dict(enumerate(segments, start=1)),
                         "total": len(segments), "delivered": delivered})
    lines_by_number = {number: name for name, number in facts.number_of.items()}
    for send in log.get("sends", []):
        message = facts.outbound_by_id.get(send.get("id"))
        destination = lines_by_number.get(send["to"])
        if message is not None and destination is not None:
            expected += _carried(facts, message, send, destination)
    return expected


def _carried(facts: Facts, message: dict, send: dict, destination: str) -> list[dict]:
    parts = {p["seq"]: pdu_key(p["pdu"]) for p in message["parts"]}
    delivered = {seq for seq, key in parts.items() if facts.accepted[key]}
    if not delivered:
        return []
    sender = facts.accepted_by[parts[min(delivered)]]
    return [{"token": send["token"], "line": destination, "peer": facts.number_of[sender],
             "text": send["text"], "total": len(parts), "delivered": delivered,
             "segments": {seq: facts.accepted_text[parts[seq]] for seq in delivered},
             "resent": facts.resends[message["id"]] > 0}]


def check_inbound(facts: Facts, database: dict, log: dict) -> list[dict]:
    rows_by_token: dict[str, list[dict]] = {}
    found = []
    for row in database.get("inbound", []):
        tokens = tokens_in(row.get("text", ""))
        if len(tokens) > 1:
            found.append(violation("inbound mixed", ",".join(sorted(tokens)),
                                   f"message {row['id']} joins parts of several messages"))
        for tok in tokens:
            rows_by_token.setdefault(tok, []).append(row)
        if not tokens:
            found.append(violation("unexpected inbound", f"message {row['id']}",
                                   f"{row.get('peer')}: {row.get('text', '')[:60]!r}"))
    expected = expected_inbound(facts, log)
    for item in expected:
        found += _one_inbound(facts, item, rows_by_token.get(item["token"], []))
    known = {item["token"] for item in expected}
    found += [violation("unexpected inbound", tok, f"{len(rows)} message(s) nobody sent")
              for tok, rows in rows_by_token.items() if tok not in known]
    return found


def _one_inbound(facts: Facts, item: dict, rows: list[dict]) -> list[dict]:
    tok = item["token"]
    if not rows:
        return [violation("inbound lost", tok, f"to {item['line']} from {item['peer']}, "
                          f"parts {sorted(item['delivered'])} of {item['total']}: not stored")]
    if item.get("resent"):  # a part may have gone twice: copies and stragglers are right
        return []
    if len(rows) > 1:
        shown = ", ".join(f"{r['id']} {r['status']} {r.get('parts_received')}/{r['parts']}"
                          for r in rows)
        return [violation("inbound duplicated", tok, f"stored {len(rows)} times: {shown}")]
    row = rows[0]
    problems = []
    if facts.line_of_id.get(row.get("line_id")) != item["line"]:
        problems.append(f"on {facts.line_of_id.get(row.get('line_id'))}, not {item['line']}")
    if not same_peer(row.get("peer"), item["peer"]):
        problems.append(f"from {row.get('peer')}, not {item['peer']}")
    problems += _content(item, row)
    return [violation("inbound wrong", tok, "; ".join(problems))] if problems else []


def _content(item: dict, row: dict) -> list[str]:
    complete = len(item["delivered"]) == item["total"]
    if complete:
        if row["status"] != "received":
            return [f"every part came, but it is {row['status']} "
                    f"({row.get('parts_received')}/{row['parts']})"]
        return [] if row["text"] == item["text"] else [
            f"text {row['text']!r} is not {item['text']!r}"]
    problems = []
    if row["status"] != "incomplete":
        problems.append(f"part(s) never came, but it is {row['status']}")
    if row.get("parts_received") != len(item["delivered"]):
        problems.append(f"{row.get('parts_received')} parts received, the network delivered "
                        f"{sorted(item['delivered'])}")
    position = 0
    for seq in sorted(item["delivered"]):
        position = row["text"].find(item["segments"][seq], position)
        if position < 0:
            problems.append(f"part {seq} ({item['segments'][seq][:30]!r}…) missing from the text")
            break
    return problems


# ---- quarantine, commits, storage, reports ----------------------------------------------

def check_quarantine(facts: Facts, database: dict, log: dict) -> list[dict]:
    rows = {(pdu_key(r["pdu"]), facts.line_of_id.get(r.get("line_id")))
            for r in database.get("quarantine", [])}
    injected = {(pdu_key(g["pdu"]), g["line"]) for g in log.get("garbage", [])
                if not g.get("error")}
    found = [violation("not quarantined", pdu, f"undecodable PDU injected on {line}")
             for pdu, line in sorted(injected - rows)]
    found += [violation("wrongly quarantined", pdu, f"on {line}: nobody injected it as garbage")
              for pdu, line in sorted(rows - injected)]
    return found


def check_committed(facts: Facts, emulator: dict, database: dict) -> list[dict]:
    """Whatever the network handed a line is in the database (nothing lost off a SIM)."""
    def keys(table: str) -> set[tuple[str | None, str]]:
        return {(facts.line_of_id.get(r.get("line_id")), pdu_key(r["pdu"]))
                for r in database.get(table, [])}

    kept, reports = keys("inbound_parts") | keys("quarantine"), keys("reports")
    found = []
    for name, line in emulator["lines"].items():
        for record in line.get("received", []):
            if record["route"] == "discarded":
                continue
            where = reports if record["kind"] == "report" else kept
            if (name, pdu_key(record["pdu"])) not in where:
                found.append(violation("not committed", name, f"{record['kind']} handed over "
                                       f"({record['route']}) at {record['time']:.1f} is not in "
                                       f"the database: {record['pdu'][:40]}"))
    return found


def check_storage(emulator: dict) -> list[dict]:
    found = []
    for name, line in emulator["lines"].items():
        for memory, entries in line.get("storage", {}).items():
            if entries:
                found.append(violation("SIM not empty", name, f"{len(entries)} left in {memory}"))
        if line.get("held"):
            found.append(violation("SIM not empty", name,
                                   f"the network still holds {line['held']} for it"))
        if not line.get("plugged", True):
            found.append(violation("SIM not empty", name, "still unplugged at the end"))
    return found


def check_reports(facts: Facts, emulator: dict, database: dict) -> list[dict]:
    """A report on a part is on the part it reports; else it is kept as an orphan.
    Keyed by line too: two lines' reports can be byte for byte the same."""
    about = {(name, pdu_key(r["pdu"])): r["about"] for name, line in emulator["lines"].items()
             for r in line.get("received", []) if r["kind"] == "report" and r.get("about")}
    found = []
    for report in database.get("reports", []):
        part = facts.part_by_id.get(report.get("part_id"))
        line = facts.line_of_id.get(report.get("line_id"))
        truth = about.get((line, pdu_key(report["pdu"])))
        if part is None or truth is None or pdu_key(truth["pdu"]) == pdu_key(part["pdu"]):
            continue
        wrong = tokens_of_message(facts.outbound_by_id[part["message_id"]])
        right = next((tokens_of_message(m) for m in facts.outbound_by_id.values()
                      if any(pdu_key(p["pdu"]) == pdu_key(truth["pdu"]) for p in m["parts"])),
                     "a part nobody queued")
        found.append(violation("report on the wrong part", right,
                               f"the report (MR {report.get('mr')}) on {line} went to "
                               f"{wrong}'s part"))
    return found
