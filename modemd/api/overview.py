"""/v1/conversations (the list, claim, release), /v1/lines and /v1/health: the desk's
functions and views, as `modemd conversations`, `claim`, `status` and `health` show."""

from __future__ import annotations

from modemd.api.calls import Answer, Api, Call
from modemd.desk import claims, sending
from modemd.desk.health import CRITICAL, Limits, evaluate, unknown
from modemd.desk.liveness import daemon_state
from modemd.errors import ModemdError
from modemd.store import ConversationClaim


def list_conversations(api: Api, call: Call) -> list[dict]:
    mine = (call.query["operator"] or call.agent.name) if call.query["mine"] else None
    return claims.conversations(api.store, unread=bool(call.query["unread"]), mine=mine,
                                search=call.query["search"], limit=call.query["limit"])


def get_conversation(api: Api, call: Call) -> dict:
    return _thread(api, call, keep_unread=True)


def read_conversation(api: Api, call: Call) -> dict:
    return _thread(api, call, keep_unread=False)


def _thread(api: Api, call: Call, *, keep_unread: bool) -> dict:
    opened = claims.open_thread(api.store, call.params["peer"], keep_unread=keep_unread,
                                default_region=api.config.default_region,
                                limit=call.query.get("limit") or 100)
    contact = api.store.contacts.get(opened.peer)
    shown = {"peer": opened.peer, "contact": None if contact is None else contact.name,
             "messages": opened.messages}
    return shown if keep_unread else {**shown, "marked": opened.marked,
                                      "not_marked": opened.not_marked}


def claim_conversation(api: Api, call: Call) -> dict:
    taken = claims.claim(api.store, call.params["peer"], call.operator(),
                         force=bool(call.body.get("force")),
                         default_region=api.config.default_region)
    previous = None if taken.previous is None else taken.previous.operator
    return {**_claim(api, taken.holder), "claimed_by": taken.holder.operator,
            "previous": previous}


def release_conversation(api: Api, call: Call) -> dict:
    operator = call.operator()
    released = claims.release(api.store, call.params["peer"], operator,
                              force=bool(call.body.get("force")),
                              default_region=api.config.default_region)
    return {**_claim(api, released), "released_from": released.operator,
            "released_by": operator}


def _claim(api: Api, claim: ConversationClaim) -> dict:
    contact = api.store.contacts.get(claim.peer)
    return {"peer": claim.peer, "contact": None if contact is None else contact.name,
            "since": claim.since}


def list_lines(api: Api, call: Call) -> dict:
    store = api.store
    with store.database.snapshot():
        lines, waiting = store.views.lines(), store.views.unassigned_queue()
        disk = store.database.disk_state()
        daemon = daemon_state(store, api.config.database)
    return {"lines": lines, "queued_without_line": waiting,
            "database": disk, "daemon": daemon}


def get_line(api: Api, call: Call) -> dict:
    line_id = sending.line_id(api.store, call.params["line"])
    return next(line for line in api.store.views.lines() if line["id"] == line_id)


def get_health(api: Api, call: Call) -> Answer:
    """200 for OK and WARNING, 503 for CRITICAL and UNKNOWN: a load balancer or an HTTP
    check reads the status alone. A database that cannot be read is UNKNOWN, as for
    `modemd health`."""
    try:
        result = evaluate(api.store, api.config.database, _limits(call.query))
    except ModemdError as error:
        result = unknown(str(error))
    return Answer(result, 503 if result["code"] >= CRITICAL else 200)


def _limits(query: dict) -> Limits:
    """The health limits the query names; the others as `modemd health` has them."""
    given = {name: query[name] for name in ("queue_warn", "queue_crit", "ratio_warn",
                                            "ratio_crit", "ratio_min")
             if query.get(name) is not None}
    return Limits(**given)


HANDLERS = {"list_conversations": list_conversations,
            "get_conversation": get_conversation, "read_conversation": read_conversation,
            "claim_conversation": claim_conversation,
            "release_conversation": release_conversation,
            "list_lines": list_lines, "get_line": get_line, "get_health": get_health}
