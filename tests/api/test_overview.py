"""/v1/conversations, claim and release, /v1/lines and /v1/health: the same answers as
`modemd conversations`, `claim`, `status --json` and `health --json` give."""

from __future__ import annotations

import json
import os
from pathlib import Path

from modemd.desk import claims
from modemd.store import DaemonLock, Store

from .support import CUSTOMER, ME, NOBODY, OTHER, Client, add_line, refused, texted
from .test_messages import cli, printed

CONVERSATIONS = "/v1/conversations"


def steady(answer: dict) -> dict:
    """Without the free bytes on the disk, which other programs change meanwhile."""
    return {**answer, "database": {**answer["database"], "free_bytes": None}}


def test_conversations_as_the_cli_lists_them_with_unread_mine_and_limit(
        api: Client, store: Store, db: Path) -> None:
    line = add_line(store)
    texted(store, line, CUSTOMER, "hello?")
    api.send(OTHER)
    listed = api.get(CONVERSATIONS).json
    assert listed == json.loads(printed(db, "conversations", "--json"))
    assert [c["peer"] for c in listed] == [OTHER, CUSTOMER]  # the most recent first
    assert [c["peer"] for c in api.get(CONVERSATIONS, unread="1").json] == [CUSTOMER]
    assert [c["peer"] for c in api.get(CONVERSATIONS, limit=1).json] == [OTHER]
    claims.claim(store, OTHER, ME)
    claims.claim(store, CUSTOMER, NOBODY.pw_name)
    assert [c["peer"] for c in api.get(CONVERSATIONS, mine="true").json] == [OTHER]
    assert refused(api.get(CONVERSATIONS, limit="0"), 400).startswith("limit '0'")
    assert [c["peer"] for c in api.get(CONVERSATIONS, search="LLO?").json] == [CUSTOMER]
    assert api.get(CONVERSATIONS, search="LLO?").json == json.loads(
        printed(db, "conversations", "--search", "LLO?", "--json"))
    assert refused(api.get(CONVERSATIONS, search=" "), 400).startswith('--search "": give')


def test_claim_take_over_and_release_say_who_held_it(api: Client, store: Store,
                                                     db: Path) -> None:
    store.contacts.add(CUSTOMER, "Grace Hopper", "alice")
    nobody = api.as_agent(NOBODY.pw_uid)
    path = f"{CONVERSATIONS}/Grace%20Hopper"
    claimed = nobody.post(f"{path}/claim")
    assert claimed.status_code == 200
    assert claimed.json == {"peer": CUSTOMER, "contact": "Grace Hopper",
                            "claimed_by": "nobody", "previous": None,
                            "since": claimed.json["since"]}
    assert nobody.post(f"{path}/claim").json["previous"] == "nobody"  # already theirs
    error = refused(api.post(f"{path}/claim"), 400)
    assert error == cli(db, "claim", "Grace Hopper", "--operator", ME)[1]
    assert refused(api.post(f"{path}/release"), 400) == \
        cli(db, "release", "Grace Hopper", "--operator", ME)[1]
    taken = api.post(f"{CONVERSATIONS}/%2B14155550123/claim", {"force": True})
    assert taken.json["claimed_by"] == ME and taken.json["previous"] == "nobody"
    released = nobody.post(f"{path}/release", {"force": True})
    assert released.json == {"peer": CUSTOMER, "contact": "Grace Hopper",
                             "released_from": ME, "released_by": "nobody",
                             "since": taken.json["since"]}
    assert "is not claimed: nothing to release" in refused(api.post(f"{path}/release"), 400)


def test_lines_are_what_status_json_shows_and_neither_has_the_pin_hash(
        api: Client, store: Store, db: Path) -> None:
    add_line(store)
    api.send()
    shown = api.get("/v1/lines").json
    status = json.loads(printed(db, "status", "--json"))
    assert all("pin_rejected_hash" not in line for line in shown["lines"] + status["lines"])
    assert "pin_rejected_at" in status["lines"][0]  # the rest of the line is there
    assert steady(shown) == steady(status)
    assert shown["queued_without_line"] == 1 and shown["daemon"]["state"] == "never"


def test_health_is_the_same_judgement_and_503_unless_ok_or_warning(api: Client, store: Store,
                                                                   db: Path) -> None:
    answer = api.get("/v1/health")
    assert answer.status_code == 503 and answer.json["state"] == "CRITICAL"
    assert steady(answer.json) == steady(json.loads(printed(db, "health", "--json")))
    lock = DaemonLock.acquire(db)  # a daemon as health sees one: its lock, a fresh run
    try:
        store.runs.begin(os.getpid(), "test")
        add_line(store)
        answer = api.get("/v1/health")
    finally:
        lock.release()
    assert answer.status_code == 200 and answer.json["state"] == "OK"
    assert answer.json["summary"].startswith("MODEMD OK - 1/1 lines ok")
