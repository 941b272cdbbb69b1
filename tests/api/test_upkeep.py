"""/v1/lines/{line}/resume, /v1/quarantine, /v1/deliveries and /v1/health's limits
through the app on a real database: the answers `modemd resume`, `quarantine`, `hooks`,
`hooks retry` and `health` print from, and the desk's words when it refuses."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from modemd.store import DaemonLock, EventKind, LineState, PauseCause, Store
from modemd.store.db import iso, utc_now
from modemd.store.events import record

from .support import CUSTOMER, ME, Client, add_line, lab, refused
from .test_messages import cli, printed

DELIVERIES, HEALTH = "/v1/deliveries", "/v1/health"
URL = "http://127.0.0.1:9/modemd"


def test_quarantine_lists_the_pdus_nobody_could_decode(api: Client, store: Store,
                                                       db: Path) -> None:
    assert api.get("/v1/quarantine").json == []
    line = add_line(store)
    store.inbox.quarantine(line, "00FF00", "undecodable")
    listed = api.get("/v1/quarantine").json
    assert [(q["line_id"], q["pdu"], q["reason"]) for q in listed] == \
        [(line, "00FF00", "undecodable")]
    assert listed == json.loads(printed(db, "quarantine", "--json"))


def test_resume_says_why_the_line_was_paused_and_refuses_an_unknown_line(
        api: Client, store: Store, db: Path) -> None:
    line = add_line(store)
    store.lines.set_state(line, LineState.PAUSED, "SMSC unknown", PauseCause.SMSC_UNKNOWN)
    resumed = api.post("/v1/lines/desk-1/resume")
    assert resumed.status_code == 200
    assert resumed.json == {"line": "desk-1", "line_id": line, "was_paused": "smsc_unknown"}
    assert store.views.audit(limit=1)[0]["action"] == "resume"
    store.lines.set_state(line, LineState.OK)
    assert api.post(f"/v1/lines/{line}/resume", {"operator": "alice"}).json["was_paused"] \
        is None
    assert store.views.audit(limit=1)[0]["operator"] == "alice"
    error = refused(api.post("/v1/lines/desk-9/resume"), 400)
    assert error == "no line 'desk-9': `modemd status` lists the lines"
    assert error == cli(db, "resume", "desk-9")[1]


def _delivery(store: Store) -> int:
    """A pending delivery of a new inbound event to URL; its id."""
    store.deliveries.fan_out(URL, ["inbound"])  # a target seen first starts from now
    with store.database.write() as conn:
        record(conn, EventKind.INBOUND, peer=CUSTOMER)
    assert store.deliveries.fan_out(URL, ["inbound"]) == 1
    delivery_id, = (row["id"] for row in store.deliveries.listing())
    return delivery_id


def test_deliveries_are_listed_and_retried_and_a_delivered_one_is_a_conflict(
        api: Client, store: Store, db: Path) -> None:
    delivery = _delivery(store)
    listed = api.get(DELIVERIES).json
    assert [(d["id"], d["target"], d["event"], d["status"]) for d in listed] == \
        [(delivery, URL, "inbound", "pending")]
    assert listed == json.loads(printed(db, "hooks", "--json"))
    assert api.get(DELIVERIES, limit="1").json == listed
    store.deliveries.attempt_failed(delivery, "refused", timedelta(0))
    retried = api.post(f"{DELIVERIES}/{delivery}/retry")
    assert retried.status_code == 200
    assert (retried.json["id"], retried.json["was"]) == (delivery, "failed")
    assert api.get(DELIVERIES).json[0]["status"] == "pending"
    assert store.views.audit(limit=1)[0]["operator"] == ME
    store.deliveries.delivered(delivery)
    error = refused(api.post(f"{DELIVERIES}/{delivery}/retry"), 409)
    assert error.startswith(f"delivery {delivery} was delivered already")
    assert error == cli(db, "hooks", "retry", str(delivery))[1]
    assert refused(api.post(f"{DELIVERIES}/99/retry"), 404) == \
        cli(db, "hooks", "retry", "99")[1]
    assert api.get(DELIVERIES).json == []


@pytest.fixture
def healthy(store: Store, db: Path) -> Iterator[int]:
    """A daemon as health sees one (its lock, a fresh run) with a line ok, and a message
    queued a minute ago; that message's id."""
    lock = DaemonLock.acquire(db)
    try:
        store.runs.begin(os.getpid(), "test")
        add_line(store)
        queued = Client(store, lab(db)).send()["id"]
        with store.database.write() as conn:
            conn.execute("UPDATE messages SET created_at = ? WHERE id = ?",
                         (iso(utc_now() - timedelta(seconds=60)), queued))
        yield queued
    finally:
        lock.release()


def test_the_health_limits_of_the_query_change_the_verdict(api: Client, db: Path,
                                                          healthy: int) -> None:
    ok = api.get(HEALTH)
    assert (ok.status_code, ok.json["state"]) == (200, "OK")
    warning = api.get(HEALTH, queue_warn="0")
    assert (warning.status_code, warning.json["state"], warning.json["code"]) == \
        (200, "WARNING", 1)
    assert [p["check"] for p in warning.json["problems"]] == ["queue"]
    assert warning.json["limits"]["queue_warn"] == 0
    critical = api.get(HEALTH, queue_warn="10", queue_crit="30.5")
    assert (critical.status_code, critical.json["state"]) == (503, "CRITICAL")
    assert "(over 30.5 s)" in critical.json["problems"][0]["text"]
    assert printed(db, "health", "--queue-warn", "0").startswith("MODEMD WARNING - queue:")


@pytest.mark.parametrize(("query", "error"), [
    ({"queue_warn": "abc"}, "queue_warn 'abc' is not a number of 0 or more"),
    ({"queue_crit": "-1"}, "queue_crit '-1' is not a number of 0 or more"),
    ({"ratio_min": "0"}, "ratio_min '0' is not a whole number of 1 or more"),
    ({"queue_wran": "1"}, "unknown parameter 'queue_wran' in the query; did you mean "
                          "'queue_warn'?"),
])
def test_a_health_limit_that_is_no_number_is_refused(api: Client, query, error) -> None:
    assert refused(api.get(HEALTH, **query), 400).startswith(error)
