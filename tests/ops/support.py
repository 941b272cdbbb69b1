"""Running `modemd` as a process, and building database states with the store's API."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from e2e.conftest import modemd_argv
from store.helpers import add_line, claim, delivers, parts, queue, send, status_report

from modemd.store import Store


def modemd(*args: str, env: dict[str, str] | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(modemd_argv(*args), capture_output=True, text=True, env=env,
                          timeout=timeout, check=False)


def answer(*args: str, code: int = 0) -> Any:
    """The JSON a `modemd ... --json` process prints; it must exit with code."""
    done = modemd(*args, "--json")
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    return json.loads(done.stdout)


def delivered(store: Store, line: int, text: str = "hello", mr: int = 1) -> int:
    """An outbound message sent on line (its parts MRs mr, mr+1, ...) and delivered by
    a report per part; its id."""
    queue(store, text)
    message_id = send(store, line, mr=mr)
    for part in parts(store, message_id):
        report_delivery(store, line, part["mr"])
    return message_id


def report_delivery(store: Store, line: int, mr: int) -> None:
    pdu, report = status_report(mr)
    assert store.reports.record(line, pdu, report) is not None


def orphan_report(store: Store, line: int, mr: int = 250) -> None:
    """A report no sent part matches (it is kept, unmatched)."""
    pdu, report = status_report(mr, "+19995550000")
    assert store.reports.record(line, pdu, report) is None


__all__ = ["add_line", "answer", "claim", "delivered", "delivers", "modemd", "orphan_report",
           "parts", "queue", "report_delivery", "send"]
