"""The two records the soak compares, gathered at the end: what the emulator saw (its
control ops) and what the daemon wrote (its SQLite file, read-only). Plus the
folder's keepsakes: JSON of both records and a readable transcript per line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from _rig import read_only

from modemd.emulator.control import ControlClient

EMULATOR_OPS = ("submitted", "refused", "received", "storage", "transcript")


def emulator_record(control: ControlClient) -> dict:
    lines = {}
    for line in control.call("lines"):
        name = line["name"]
        record = {"number": line["number"], "held": line["held"], "plugged": line["plugged"]}
        for op in EMULATOR_OPS:
            record[op] = control.call(op, line=name)
        for entry in record["transcript"]:
            entry.pop("hex", None)  # the text is latin-1: every byte is there once
        lines[name] = record
    return {"lines": lines, "outside": control.call("outside")}


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict]:
    conn.row_factory = sqlite3.Row
    return [dict(row) for row in conn.execute(sql)]


def database_record(db: Path) -> dict:
    with read_only(db) as conn:
        parts: dict[int, list[dict]] = {}
        for part in _rows(conn, "SELECT * FROM outbound_parts ORDER BY message_id, seq"):
            parts.setdefault(part["message_id"], []).append(part)
        outbound = _rows(conn, "SELECT * FROM messages WHERE direction = 'out' ORDER BY id")
        for message in outbound:
            message["parts"] = parts.get(message["id"], [])
        return {
            "lines": _rows(conn, "SELECT id, name, own_number, port, state, reason FROM lines"),
            "outbound": outbound,
            "inbound": _rows(conn, "SELECT * FROM messages WHERE direction = 'in' ORDER BY id"),
            "inbound_parts": _rows(conn, "SELECT id, message_id, line_id, seq, pdu "
                                         "FROM inbound_parts ORDER BY id"),
            "quarantine": _rows(conn, "SELECT * FROM quarantine ORDER BY id"),
            "reports": _rows(conn, "SELECT * FROM reports ORDER BY id"),
        }


def keep(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str))
    return path


def dump_transcripts(folder: Path, emulator: dict) -> None:
    """transcript-LINE.txt: one line per write, wall-clock time, direction, bytes (repr)."""
    for name, line in emulator["lines"].items():
        with (folder / f"transcript-{name}.txt").open("w") as out:
            for entry in line["transcript"]:
                out.write(f"{entry['time']:.3f} {entry['dir']} {entry['text']!r}\n")


def settle_state(control: ControlClient, db: Path) -> dict:
    """What the end waits for: the queue empty, parts reassembled, SIMs drained, lines ok;
    and a fingerprint that stops changing once everything is quiet."""
    lines = control.call("lines")
    state = {
        "unplugged": [x["name"] for x in lines if not x["plugged"]],
        "held": sum(x["held"] for x in lines),
        "stored": sum(used for x in lines for used, _ in x["storage"].values()),
        "submitted": sum(x["submitted"] for x in lines),
    }
    try:
        with read_only(db) as conn:
            state["open"] = conn.execute("SELECT COUNT(*) FROM messages WHERE direction = "
                                         "'out' AND status IN ('queued', 'sending')").fetchone()[0]
            state["waiting_parts"] = conn.execute("SELECT COUNT(*) FROM inbound_parts "
                                                  "WHERE message_id IS NULL").fetchone()[0]
            state["not_ok"] = [r[0] for r in conn.execute(
                "SELECT name FROM lines WHERE state != 'ok'")]
            state["rows"] = conn.execute("SELECT (SELECT COUNT(*) FROM messages) + "
                                         "(SELECT COUNT(*) FROM reports)").fetchone()[0]
    except sqlite3.Error as error:
        state["db_error"] = str(error)
    return state


def settled(state: dict) -> bool:
    return (not state["unplugged"] and not state["held"] and not state["stored"]
            and not state.get("open") and not state.get("waiting_parts")
            and not state.get("not_ok") and "db_error" not in state)
