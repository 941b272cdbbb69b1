"""The API's routes as one table: the app is built from it (app.py), and so is the
OpenAPI 3.1 document at /v1/openapi.json, so a route cannot exist without being
documented, nor be documented without existing."""

from __future__ import annotations

import os
from dataclasses import dataclass

from modemd.api.schemas import (
    BOOLEAN,
    CLAIM,
    COMPONENTS,
    CONTACT,
    DECIDE,
    OPTOUT,
    REPLY,
    SEND,
    ref,
)
from modemd.config import Config
from modemd.store.states import InboundStatus, OutboundStatus

JSON = "application/json"
EVENT_STREAM = "text/event-stream"
ERRORS = {  # status -> when; every route may answer 401, 403, 500 and 503
    400: "The request cannot be used as given (a field, a number, a refused send: "
         "opted out, over a pace limit, claimed by another agent); nothing was done",
    401: "Nobody known is asking: no valid bearer token (TCP), no peer credentials",
    403: "Known, but not allowed: acting as another agent without being an admin",
    404: "No such message (or conversation)",
    409: "The message's state does not allow it (cancel a sent one, resend a delivered one)",
    413: "The body is larger than any API call needs (64 KiB)",
    500: "A bug in modemd: the daemon's log has the details",
    503: "The database cannot be used just now (locked, read-only, damaged); or too many "
         "event streams are open",
    507: "The database's disk is full: nothing was stored",
}
ALWAYS = (401, 403, 500, 503)
WITH_BODY = (400, 413)  # what any route that takes a body may answer


def query(name: str, schema: dict, description: str, *, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description}


_LIMIT = query("limit", {"type": "integer", "minimum": 1, "default": 50}, "How many")
_UNREAD = query("unread", BOOLEAN, "Only those with unread inbound messages (read: an "
                "agent opened the thread)")
PATH_PARAMETERS = {
    "id": {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"},
           "description": "A message id"},
    "peer": {"name": "peer", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "A number (E.164; + as %2B) or a contact's name"},
    "line": {"name": "line", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "A line: id, name, own number (+ as %2B), ICCID or IMSI"},
}
_OPERATOR = query("operator", {"type": "string"}, "Whose action it is (admins only: root "
                  "and the daemon's user); default: the agent asking")


def listing(name: str) -> dict:
    return {"type": "array", "items": ref(name)}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with {id} or {peer}, as falcon and OpenAPI both write them
    operation: str  # the OpenAPI operationId and the handler's name
    summary: str
    result: dict  # the success answer's schema
    status: int = 200
    body: dict | None = None  # the request body's schema; None: no body
    parameters: tuple[dict, ...] = ()
    errors: tuple[int, ...] = ()
    content: str = JSON
    also: int | None = None  # another status that answers with the result too (health's 503)


ROUTES = (
    Route("POST", "/v1/messages", "send_message", "Queue a text to a number or contact "
          "(`modemd send`); a refused one queues nothing", ref("Queued"), 201, SEND,
          errors=(400, 507)),
    Route("GET", "/v1/messages", "list_messages", "Messages one way, newest first "
          "(`modemd outbox` / `inbox`)", {"type": "array", "items": ref("Message")},
          parameters=(
              query("direction", {"enum": ["out", "in"]}, "out: what we sent; in: what we "
                    "received", required=True),
              query("peer", {"type": "string"}, "Only this contact: a number (+ as %2B), a "
                    "contact's name, or a sender name as it came"),
              query("status", {"enum": [*OutboundStatus, *InboundStatus]}, "Only this status"),
              _LIMIT, query("unread", BOOLEAN, "direction=in only: those no agent read yet")),
          errors=(400,)),
    Route("GET", "/v1/messages/{id}", "get_message", "One message with its parts and "
          "delivery reports (`modemd show`)", ref("Message"), errors=(400, 404)),
    Route("POST", "/v1/messages/{id}/reply", "reply_message", "Answer an inbound message: "
          "to its sender, from the line it came in on (`modemd reply`)", ref("Queued"), 201,
          REPLY, errors=(400, 404, 507)),
    Route("POST", "/v1/messages/{id}/cancel", "cancel_message", "Take back a scheduled or "
          "queued message no part of which went out (`modemd cancel`)", ref("Message"),
          body=DECIDE, errors=(400, 404, 409, 507)),
    Route("POST", "/v1/messages/{id}/resend", "resend_message", "Send a failed, expired or "
          "unknown message again (`modemd resend`)", ref("Message"), body=DECIDE,
          errors=(400, 404, 409, 507)),
    Route("GET", "/v1/conversations", "list_conversations", "One row per contact, the most "
          "recent first (`modemd conversations`)",
          {"type": "array", "items": ref("Conversation")},
          parameters=(_UNREAD, query("mine", BOOLEAN, "Only those the asking agent "
                                     "claimed"), _LIMIT,
                      query("operator", {"type": "string"}, "With mine: whose claims "
                            "(default: the agent asking)"),
                      query("search", {"type": "string"}, "Only those "
                            "whose number, contact name or any message's text contains "
                            "this, case ignored")), errors=(400,)),
    Route("GET", "/v1/conversations/{peer}", "get_conversation", "The thread with a peer, "
          "both directions, oldest first; marks nothing read (`modemd thread "
          "--keep-unread`)", ref("Thread"), parameters=(
              query("limit", {"type": "integer", "minimum": 1, "default": 100}, "How "
                    "many: the newest, shown oldest first"),), errors=(400,)),
    Route("POST", "/v1/conversations/{peer}/read", "read_conversation", "Open the thread: "
          "its inbound messages are read from now on (`modemd thread`)", ref("Read"),
          parameters=(query("limit", {"type": "integer", "minimum": 1, "default": 100},
                            "How many: the newest, shown oldest first"),), errors=(400, 507)),
    Route("POST", "/v1/conversations/{peer}/claim", "claim_conversation", "Make the "
          "conversation the agent's: others need force to text it (`modemd claim`)",
          ref("Claim"), body=CLAIM, errors=(400, 507)),
    Route("POST", "/v1/conversations/{peer}/release", "release_conversation", "Give up the "
          "claim; force releases another agent's (`modemd release`)", ref("Released"),
          body=CLAIM, errors=(400, 507)),
    Route("GET", "/v1/lines", "list_lines", "Each line, the queue without a line, the "
          "database's disk and the daemon (`modemd status --json`)", ref("Lines")),
    Route("GET", "/v1/lines/{line}", "get_line", "One line, named by id, name, own number, "
          "ICCID or IMSI", ref("Line"), errors=(400,)),
    Route("POST", "/v1/lines/{line}/resume", "resume_line", "Resume a paused line "
          "(`modemd resume`)", ref("Resumed"), body=DECIDE, errors=(400, 507)),
    Route("GET", "/v1/quarantine", "list_quarantine", "Inbound PDUs nobody could decode, "
          "kept raw (`modemd quarantine`)", listing("Quarantined")),
    Route("GET", "/v1/contacts", "list_contacts", "Every contact, by name (`modemd contact "
          "list`)", listing("Contact")),
    Route("POST", "/v1/contacts", "add_contact", "Name a number, or rename it (`modemd "
          "contact add`)", ref("Contact"), body=CONTACT, errors=(400, 507)),
    Route("DELETE", "/v1/contacts/{peer}", "remove_contact", "Forget a number's name "
          "(`modemd contact remove`)", ref("Contact"), parameters=(_OPERATOR,),
          errors=(400, 507)),
    Route("GET", "/v1/optouts", "list_optouts", "The numbers that opted out (`modemd "
          "optouts`)", listing("OptOut")),
    Route("POST", "/v1/optouts", "add_optout", "Record an opt-out given by a call or an "
          "email; what is queued to the number fails (`modemd optout add`)", ref("OptOut"),
          body=OPTOUT, errors=(400, 507)),
    Route("DELETE", "/v1/optouts/{peer}", "remove_optout", "Lift an opt-out (`modemd "
          "optout remove`)", ref("OptOut"), parameters=(_OPERATOR,), errors=(400, 507)),
    Route("GET", "/v1/audit", "list_audit", "Who did what and when, newest first "
          "(`modemd audit`)", listing("AuditEntry"), parameters=(
              query("peer", {"type": "string"}, "Only what concerns this number or "
                    "contact"),
              query("operator", {"type": "string"}, "Only what this agent (or texting "
                    "peer) did"), _LIMIT), errors=(400,)),
    Route("GET", "/v1/deliveries", "list_deliveries", "Deliveries to webhooks and hooks "
          "that are pending or failed (`modemd hooks`)", listing("Delivery"), parameters=(
              query("limit", {"type": "integer", "minimum": 1, "default": 100}, "How "
                    "many"),)),
    Route("POST", "/v1/deliveries/{id}/retry", "retry_delivery", "Make a delivery due "
          "again now (`modemd hooks retry`)", ref("Delivery"), body=DECIDE,
          errors=(400, 404, 507)),
    Route("GET", "/v1/health", "get_health", "The `modemd health` judgement; HTTP 503 when "
          "it is CRITICAL or UNKNOWN", ref("Health"), also=503, parameters=(
              query("queue_warn", {"type": "number", "minimum": 0}, "WARNING when the "
                    "oldest queued message waited longer (seconds)"),
              query("queue_crit", {"type": "number", "minimum": 0}, "CRITICAL when it "
                    "waited longer (seconds)"),
              query("ratio_warn", {"type": "number", "minimum": 0}, "WARNING below this "
                    "delivery-report match ratio over 24 h (percent)"),
              query("ratio_crit", {"type": "number", "minimum": 0}, "CRITICAL below this "
                    "(percent)"),
              query("ratio_min", {"type": "integer", "minimum": 1}, "Judge the ratio "
                    "only with at least this many reports in 24 h")), errors=(400,)),
    Route("GET", "/v1/events", "stream_events", "Server-Sent Events, the events of `modemd "
          "watch --json`; resumes after Last-Event-ID (or ?after=N), else starts at new "
          "events", {"type": "string", "description": "id: N / event: KIND / data: the "
                     "event object (components/schemas/Event) as JSON, a blank line after "
                     "each; a comment line every 15 s keeps the stream alive"},
          parameters=(
              query("after", {"type": "integer", "minimum": 0}, "Replay the events after "
                    "this event_id first (as the Last-Event-ID header does)"),
              {"name": "Last-Event-ID", "in": "header", "required": False,
               "schema": {"type": "integer", "minimum": 0},
               "description": "The id of the last event received: resume after it"}),
          errors=(400,), content=EVENT_STREAM),
    Route("GET", "/v1/about", "get_about", "Which modemd this is and the database it "
          "serves (the CLI checks it before it acts through this socket)", ref("About")),
    Route("GET", "/v1/openapi.json", "get_openapi", "This document", {"type": "object"}),
)


def document() -> dict:
    """The OpenAPI 3.1 document of ROUTES."""
    paths: dict[str, dict] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "modemd", "version": _version(), "description": (
            "The person-to-person SMS desk of `modemd run`: the same rules as the CLI. "
            "On the Unix socket the agent is the connecting user; over TCP the one a "
            "bearer token (`modemd token create AGENT`) was made for. Errors are "
            "{\"error\", \"hint\"} with a 4xx or 5xx status.")},
        "paths": paths,
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "TCP only (api_listen)"}}},
    }


def _operation(route: Route) -> dict:
    names = [part[1:-1] for part in route.path.split("/") if part.startswith("{")]
    operation: dict = {
        "operationId": route.operation, "summary": route.summary,
        "parameters": [PATH_PARAMETERS[name] for name in names] + list(route.parameters),
        "responses": {str(route.status): {"description": "Done", "content": {
            route.content: {"schema": route.result}}}} | {
            str(code): {"description": ERRORS[code],
                        "content": {JSON: {"schema": ref("Error")}}}
            for code in sorted({*route.errors, *ALWAYS, *(WITH_BODY if route.body else ())})
        } | _also(route),
        "security": [{}, {"bearer": []}],  # the socket needs none; TCP a token
    }
    if route.body is not None:
        operation["requestBody"] = {"required": bool(route.body["required"]), "content": {
            JSON: {"schema": route.body}}}
    return operation


def _also(route: Route) -> dict:
    if route.also is None:
        return {}
    schema = {"anyOf": [route.result, ref("Error")]}
    return {str(route.also): {"description": "The result, when it reports trouble (health: "
                              "CRITICAL or UNKNOWN); or an Error, as on any route",
                              "content": {JSON: {"schema": schema}}}}


def about(config: Config) -> dict:
    return {"service": "modemd", "version": _version(),
            "database": os.path.abspath(config.database)}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415  (9 ms; see _version's callers)

    try:
        return version("modemd")
    except PackageNotFoundError:
        return "0"


HANDLERS = {"get_openapi": lambda api, call: document(),
            "get_about": lambda api, call: about(api.config)}
