"""The daemon's in-process instruments: events the database does not keep (parts
submitted, +CMS ERRORs by class, retries, `unknown` outcomes, latencies, SIM storage).

They live in a registry of their own, never prometheus_client's global default, so
nothing else in the process can add to what is served. modemd.daemon.metrics serves
it beside the figures it reads from the database at each scrape; docs/metrics.md
lists every metric. Counters restart at zero with the process, as Prometheus expects.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)

from modemd.at import CmsError
from modemd.modem import SendFailed
from modemd.services.policy import Action, Decision
from modemd.store import Store, StoreError

REGISTRY = CollectorRegistry(auto_describe=True)
# No `_created` series beside each counter: the Prometheus text format does not need
# them, and they would double what a scrape carries (process-wide; modemd is the user).
disable_created_metrics()

# A real modem answers +CMGS in 1-10 s (up to the 180 s timeout); the emulator in ms.
SUBMIT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180)
# Reading and committing takes milliseconds (the benchmark's target is p99 <= 15 ms).
COMMIT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5)

PARTS_SUBMITTED = Counter(
    "modemd_parts_submitted", "Parts the SMS centre accepted: a +CMGS: <mr> answer, or "
    "+CMS ERROR 197 (duplicate) after the PDU.", ["line"], registry=REGISTRY)
SEND_ERRORS = Counter(
    "modemd_send_errors", "+CMS ERROR answers to a part's submission, by the class that "
    "decides what modemd does (docs/architecture.md, the +CMS ERROR table).",
    ["line", "class"], registry=REGISTRY)
RETRIES = Counter(
    "modemd_send_retries", "Sends that failed temporarily and were put back to be retried "
    "after a backoff.", ["line"], registry=REGISTRY)
UNKNOWN = Counter(
    "modemd_send_unknown", "Sends whose outcome is unknown (the PDU was written, no answer "
    "came): the message is `unknown` until an agent resends it.", ["line"], registry=REGISTRY)
SUBMIT_SECONDS = Histogram(
    "modemd_submit_duration_seconds", "From a part's turn (the claim, or the answer to the "
    "previous part) to its +CMGS: <mr> answer, committing `sending` and `payload_at` "
    "included.", ["line"], buckets=SUBMIT_BUCKETS, registry=REGISTRY)
INBOUND_SECONDS = Histogram(
    "modemd_inbound_commit_duration_seconds", "From a +CMTI URC to the message it announced "
    "being committed (CPMS, CMGR, decoding and the commit).", ["line"],
    buckets=COMMIT_BUCKETS, registry=REGISTRY)
SIM_USED = Gauge(
    "modemd_sim_storage_used_messages", "Messages stored in a modem memory (SM, ME, SR) as "
    "modemd last saw it: its latest listing (every sweep), plus reads, less deletes since.",
    ["line", "memory"],
    registry=REGISTRY)
SIM_CAPACITY = Gauge(
    "modemd_sim_storage_capacity_messages", "How many messages a modem memory holds, per "
    "its last +CPMS answer.", ["line", "memory"], registry=REGISTRY)

_PER_LINE = (PARTS_SUBMITTED, RETRIES, UNKNOWN)


def line_label(row: Mapping[str, Any]) -> str:
    """How metrics name a line (a `lines` row): its name, else its own number, else id."""
    return str(row.get("name") or row.get("own_number") or row["id"])


def label_of(store: Store, line_id: int) -> str:
    """The line's label; its id when the database cannot say (a metric never stops a
    send or a receive half-way)."""
    try:
        row = next((row for row in store.lines.all() if row["id"] == line_id), None)
    except StoreError:
        row = None
    return line_label(row) if row else str(line_id)


def known_lines(labels: Iterable[str]) -> None:
    """Every line's counters exist from 0: the first event is then an increase that
    rate() and increase() can see, not the first sample of a new series."""
    for label in labels:
        for counter in _PER_LINE:
            counter.labels(label)


def part_submitted(store: Store, line_id: int, started: float) -> None:
    """A +CMGS: <mr> answer; started: time.monotonic() when the part's turn began."""
    elapsed = time.monotonic() - started
    label = label_of(store, line_id)
    PARTS_SUBMITTED.labels(label).inc()
    SUBMIT_SECONDS.labels(label).observe(elapsed)


def send_failed(store: Store, line_id: int, failure: SendFailed, decision: Decision) -> None:
    label = label_of(store, line_id)
    if isinstance(failure.cause, CmsError):
        SEND_ERRORS.labels(label, failure.cause.kind.name.lower()).inc()
    if decision.action is Action.RETRY:
        RETRIES.labels(label).inc()
    elif decision.action is Action.UNKNOWN:
        UNKNOWN.labels(label).inc()
    elif decision.action is Action.SUBMITTED:
        PARTS_SUBMITTED.labels(label).inc()


def inbound_committed(store: Store, line_id: int, arrived: float) -> None:
    """The message a +CMTI announced is committed; arrived: the URC's time.monotonic()."""
    elapsed = time.monotonic() - arrived
    INBOUND_SECONDS.labels(label_of(store, line_id)).observe(elapsed)


def storage(store: Store, line_id: int, usage: Mapping[str, tuple[int, int]]) -> None:
    """usage: memory -> (used, capacity), as Modem.usage tells them."""
    if not usage:
        return
    label = label_of(store, line_id)
    for memory, (used, total) in usage.items():
        SIM_USED.labels(label, memory).set(used)
        SIM_CAPACITY.labels(label, memory).set(total)
