"""Hand-made soak records: a tiny, consistent run (the emulator's record, the database's
record and the run log) that a test then breaks in one place."""

from __future__ import annotations

from datetime import UTC, datetime

from _soak_check import check

L1, L2 = "+12015550101", "+12015550102"
OUTSIDE = "+12015553000"
T0 = 1_800_000_000.0
NUMBERS = {"line1": L1, "line2": L2}


def stamp(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _line(number: str) -> dict:
    return {"number": number, "submitted": [], "refused": [], "received": [],
            "storage": {"SM": [], "SR": []}, "held": 0, "plugged": True, "transcript": []}


class World:
    def __init__(self) -> None:
        self.emulator = {"lines": {name: _line(n) for name, n in NUMBERS.items()}}
        self.database: dict = {
            "lines": [{"id": i, "name": name, "own_number": n, "port": f"/x/emu/{name}",
                       "state": "ok"} for i, (name, n) in enumerate(NUMBERS.items(), 1)],
            "outbound": [], "inbound": [], "inbound_parts": [], "quarantine": [],
            "reports": []}
        self.log: dict = {"sends": [], "resends": [], "injections": [], "garbage": [],
                          "faults": [], "daemon": [{"time": T0, "event": "start"}],
                          "failing": {}}
        self._ids = iter(range(1, 10**6))

    def line(self, name: str) -> dict:
        return self.emulator["lines"][name]

    # ---- an agent's message -----------------------------------------------------------

    def sent(self, tok: str, *, to: str = OUTSIDE, parts: int = 1, line: str = "line1",
             status: str = "delivered", at: float = T0 + 10) -> dict:
        """A message sent once, reported delivered (and received, if `to` is a line)."""
        segments = [f"{tok} seg{seq} " for seq in range(1, parts + 1)]
        message_id = next(self._ids)
        self.log["sends"].append({"time": at, "token": tok, "text": "".join(segments),
                                  "to": to, "line": None, "id": message_id, "error": None})
        rows = []
        for seq, segment in enumerate(segments, start=1):
            rows.append(self._part(tok, seq, segment, to, line, at + seq))
        message = {"id": message_id, "peer": to, "text": "".join(segments), "status": status,
                   "error": None, "attempts": 1, "line_id": self._line_id(line), "parts": rows}
        self.database["outbound"].append(message)
        destination = next((n for n, number in NUMBERS.items() if number == to), None)
        if destination is not None:
            self._deliver(tok, destination, NUMBERS[line], segments, range(1, parts + 1))
        return message

    def _part(self, tok: str, seq: int, segment: str, to: str, line: str, at: float) -> dict:
        pdu = f"P-{tok}-{seq}"
        part_id = next(self._ids)
        self.line(line)["submitted"].append({"time": at, "mr": seq, "to": to, "text": segment,
                                             "pdu": pdu})
        report = f"R-{tok}-{seq}"
        self.line(line)["received"].append({"time": at + 0.5, "kind": "report", "pdu": report,
                                            "route": "SR",
                                            "about": {"mr": seq, "to": to, "pdu": pdu}})
        self.database["reports"].append({"id": next(self._ids), "line_id": self._line_id(line),
                                         "part_id": part_id, "pdu": report, "mr": seq})
        return {"id": part_id, "seq": seq, "pdu": pdu, "status": "delivered", "mr": seq,
                "line_id": self._line_id(line), "submitted_at": stamp(at), "error": None}

    def _line_id(self, name: str) -> int:
        return next(r["id"] for r in self.database["lines"] if r["name"] == name)

    # ---- the network's message ----------------------------------------------------------

    def injected(self, tok: str, *, line: str = "line2", sender: str = "ACME", parts: int = 1,
                 dropped: tuple[int, ...] = (), late: tuple[int, ...] = (),
                 late_done: bool = True) -> dict:
        segments = [f"{tok} in{seq} " for seq in range(1, parts + 1)]
        now = [seq for seq in range(1, parts + 1) if seq not in dropped and seq not in late]
        self.log["injections"].append({
            "time": T0 + 5, "token": tok, "line": line, "sender": sender,
            "text": "".join(segments), "segments": segments, "parts": now,
            "late": list(late), "late_done": late_done, "error": None})
        came = now + (list(late) if late_done else [])
        return self._deliver(tok, line, sender, segments, sorted(came))

    def _deliver(self, tok: str, line: str, peer: str, segments: list[str], came) -> dict:
        complete = len(list(came)) == len(segments)
        text = "".join(s if seq in came else "[…]" for seq, s in enumerate(segments, 1))
        row = {"id": next(self._ids), "peer": peer, "line_id": self._line_id(line),
               "text": text, "status": "received" if complete else "incomplete",
               "parts": len(segments), "parts_received": len(list(came))}
        self.database["inbound"].append(row)
        for seq in came:
            pdu = f"D-{tok}-{seq}"
            self.line(line)["received"].append({"time": T0 + 6, "kind": "deliver", "pdu": pdu,
                                                "route": "SM", "about": None})
            self.database["inbound_parts"].append({"pdu": pdu, "message_id": row["id"],
                                                   "line_id": self._line_id(line), "seq": seq})
        return row

    def garbage(self, pdu: str, line: str = "line1") -> None:
        self.log["garbage"].append({"time": T0 + 7, "line": line, "pdu": pdu, "error": None})
        self.line(line)["received"].append({"time": T0 + 7, "kind": "deliver", "pdu": pdu,
                                            "route": "SM", "about": None})
        self.database["quarantine"].append({"pdu": pdu, "line_id": self._line_id(line),
                                            "reason": "truncated"})

    # ---- what happened to the processes -----------------------------------------------------

    def event(self, at: float, event: str, **detail: object) -> None:
        self.log["daemon"].append({"time": at, "event": event, **detail})

    def fault(self, at: float, kind: str, line: str, **args: object) -> None:
        self.log["faults"].append({"time": at, "kind": kind, "line": line, "end": False,
                                   "args": args, "error": None})

    def transcript(self, line: str, *entries: tuple[float, str, str]) -> None:
        self.line(line)["transcript"] += [{"time": t, "dir": d, "text": x} for t, d, x in entries]

    def refused(self, line: str, pdu: str, cms: int, at: float, text: str = "") -> None:
        self.line(line)["refused"].append({"time": at, "mr": None, "to": OUTSIDE, "text": text,
                                           "pdu": pdu, "cms": cms})

    # ---- the verdict -----------------------------------------------------------------------

    def violations(self) -> list[dict]:
        return check(self.emulator, self.database, self.log)["violations"]

    def invariants(self) -> set[str]:
        return {v["invariant"] for v in self.violations()}
