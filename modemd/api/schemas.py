"""The API's JSON shapes as JSON Schema (2020-12, as OpenAPI 3.1 has it): what the
OpenAPI document publishes, and what request bodies are checked against (inputs.py),
so the document and the checks cannot disagree."""

from __future__ import annotations

from modemd.store.states import EventKind, InboundStatus, LineState, OutboundStatus

STRING, INTEGER, BOOLEAN, NUMBER = ({"type": kind} for kind in
                                    ("string", "integer", "boolean", "number"))
TIME = {"type": ["string", "null"], "format": "date-time",
        "description": "ISO 8601 UTC, e.g. 2026-11-26T17:00:00.000000Z; null when none"}


def nullable(kind: str, description: str = "") -> dict:
    return {"type": [kind, "null"], **({"description": description} if description else {})}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def described(schema: dict, description: str) -> dict:
    return {**schema, "description": description}


def body(required: tuple[str, ...], **properties: dict) -> dict:
    """A request body: an object of exactly these fields (a misspelt one is refused)."""
    return {"type": "object", "required": list(required), "properties": properties,
            "additionalProperties": False}


# ---- request bodies --------------------------------------------------------------------

_TEXT = {"type": "string", "minLength": 1, "description": "What the message says: any "
         "text (GSM-7 or UCS-2, split into parts as needed)"}
_AT = described(STRING, "Send then, not now: ISO 8601 with Z or an offset "
                "(2026-12-24T09:00:00Z), or \"YYYY-MM-DD HH:MM\" in the daemon's time zone; "
                "the message is `scheduled` until then")
_FORCE = described(BOOLEAN, "Send over (claim: take over) another agent's claim; the audit "
                   "records it (the CLI's --force)")
_OPERATOR = described(STRING, "Act for this agent (admins only: root and the daemon's "
                      "user); default: the agent asking")

SEND = body(("to", "text"),
            to={"type": "string", "minLength": 1, "description": "The recipient: a number "
                "(E.164, e.g. +14155550123, or national with default_region) or a "
                "contact's name"},
            text=_TEXT,
            line={"type": ["string", "integer"], "description": "Send from this line (id, "
                  "name, own number, ICCID or IMSI); it waits for that line. Default: the "
                  "line this contact last talked to, else the least busy"},
            at=_AT, force=_FORCE, operator=_OPERATOR)
REPLY = body(("text",), text=_TEXT, at=_AT, force=_FORCE, operator=_OPERATOR)
DECIDE = body((), operator=_OPERATOR)  # cancel, resend, resume, retry: who decided
CLAIM = body((), force=_FORCE, operator=_OPERATOR)
_NUMBER = {"type": "string", "minLength": 1, "description": "A number (E.164, or national "
           "with default_region) or a contact's name"}
CONTACT = body(("number", "name"), number=_NUMBER,
               name={"type": "string", "minLength": 1, "description": "The contact's name, "
                     "shown in every listing and usable as a recipient"},
               operator=_OPERATOR)
OPTOUT = body(("number",), number=_NUMBER, operator=_OPERATOR)

# ---- answers ---------------------------------------------------------------------------

_PART_OUT = {"type": "object", "properties": {
    "seq": INTEGER, "status": STRING, "mr": nullable("integer"), "submitted_at": TIME,
    "report_status": nullable("integer"), "reported_at": TIME, "error": nullable("string")}}

COMPONENTS = {
    "Error": {"type": "object", "required": ["error", "hint"], "properties": {
        "error": described(STRING, "What happened (the same words the CLI prints)"),
        "hint": described(STRING, "What to do about it")}},
    "Queued": {"type": "object", "required": ["id", "status", "parts", "encoding", "peer",
                                              "scheduled_for"], "properties": {
        "id": INTEGER,
        "status": {"enum": [OutboundStatus.QUEUED, OutboundStatus.SCHEDULED]},
        "parts": INTEGER, "encoding": {"enum": ["gsm7", "ucs2"]},
        "peer": described(STRING, "The recipient as E.164"), "scheduled_for": TIME,
        "warnings": {"type": "array", "items": STRING, "description": "Queued anyway, but "
                     "the agent should know (another agent texted this contact just now); "
                     "absent when none"}}},
    "Message": {"type": "object", "required": ["id", "direction", "peer", "status"],
                "properties": {
        "id": INTEGER, "direction": {"enum": ["out", "in"]},
        "peer": described(STRING, "The other side: E.164, or a sender name as it came"),
        "contact": nullable("string", "The peer's contact name"),
        "line": nullable("string", "The line's own number (else its name, or IMSI)"),
        "text": STRING, "status": {"enum": [*OutboundStatus, *InboundStatus]},
        "parts": INTEGER, "encoding": nullable("string"), "operator": nullable("string"),
        "created_at": TIME, "scheduled_for": TIME, "sent_at": TIME, "delivered_at": TIME,
        "error": nullable("string"),
        "parts_received": described(nullable("integer"), "Inbound only"),
        "read_at": described(TIME, "Inbound only: when an agent opened its thread"),
        "keyword": nullable("string", "Inbound only: stop, start or help"),
        "part_list": {"type": "array", "items": {"anyOf": [_PART_OUT, {"type": "object"}]},
                      "description": "GET /v1/messages/{id} only: its parts"},
        "reports": {"type": "array", "items": {"type": "object"},
                    "description": "GET /v1/messages/{id} only: outbound delivery reports"}}},
    "Conversation": {"type": "object", "properties": {
        "peer": STRING, "contact": nullable("string"), "line": nullable("string"),
        "last_at": TIME, "last_direction": {"enum": ["out", "in", None]},
        "last_status": nullable("string"), "last_text": nullable("string"),
        "unread": INTEGER, "claimed_by": nullable("string"), "opted_out": BOOLEAN}},
    "Claim": {"type": "object", "required": ["peer", "claimed_by", "since"], "properties": {
        "peer": STRING, "contact": nullable("string"), "claimed_by": STRING,
        "since": described(STRING, "When the holder claimed it (ISO 8601 UTC)"),
        "previous": nullable("string", "Who held it before: null when it was free; the "
                             "asking agent when it was theirs already")}},
    "Released": {"type": "object", "required": ["peer", "released_from", "since"],
                 "properties": {
        "peer": STRING, "contact": nullable("string"),
        "released_from": described(STRING, "The agent whose claim it was"),
        "released_by": described(STRING, "The agent who released it"),
        "since": STRING}},
    "Line": {"type": "object", "properties": {
        "id": INTEGER, "name": nullable("string"), "own_number": nullable("string"),
        "iccid": nullable("string"), "imsi": nullable("string"), "imei": nullable("string"),
        "port": nullable("string"), "state": {"enum": list(LineState)},
        "reason": nullable("string"), "signal": nullable("integer"),
        "registration": nullable("integer"), "operator": nullable("string"),
        "queue_depth": INTEGER, "last_seen_at": TIME}},
    "Lines": {"type": "object", "required": ["lines", "queued_without_line", "daemon"],
              "properties": {
        "lines": {"type": "array", "items": ref("Line")},
        "queued_without_line": described(INTEGER, "Queued messages no line took yet"),
        "database": {"type": "object", "properties": {
            "path": STRING, "free_bytes": nullable("integer"), "full": BOOLEAN}},
        "daemon": ref("Daemon")}},
    "Daemon": {"type": "object", "required": ["state", "text"], "properties": {
        "state": {"enum": ["running", "starting", "hung", "no_heartbeat", "stopped", "dead",
                           "never"]},
        "text": STRING, "pid": nullable("integer"), "started_at": TIME,
        "heartbeat_at": TIME, "heartbeat_age_seconds": nullable("number"),
        "stopped_at": TIME, "lock": {"enum": ["held", "free", "unknown"]}}},
    "Health": {"type": "object", "required": ["state", "code", "problems", "summary"],
               "properties": {
        "state": {"enum": ["OK", "WARNING", "CRITICAL", "UNKNOWN"]},
        "code": {"enum": [0, 1, 2, 3]},
        "problems": {"type": "array", "items": {"type": "object", "properties": {
            "check": STRING, "state": INTEGER, "text": STRING}}},
        "summary": described(STRING, "The monitoring-plugin line `modemd health` prints"),
        "daemon": ref("Daemon"), "lines": nullable("object"), "queue": {"type": "object"},
        "reports": {"type": "object"}, "database": {"type": "object"},
        "limits": {"type": "object"}}},
    "About": {"type": "object", "required": ["service", "version", "database"],
              "properties": {
        "service": {"enum": ["modemd"]}, "version": STRING,
        "database": described(STRING, "The database file this daemon serves, absolute")}},
    "Thread": {"type": "object", "required": ["peer", "messages"], "properties": {
        "peer": described(STRING, "The peer as stored: E.164, or a sender name"),
        "contact": nullable("string"),
        "messages": {"type": "array", "items": ref("Message"),
                     "description": "Both directions, oldest first"}}},
    "Read": {"type": "object", "required": ["peer", "messages", "marked", "not_marked"],
             "properties": {
        "peer": STRING, "contact": nullable("string"),
        "messages": {"type": "array", "items": ref("Message"), "description": "The thread "
                     "as it is after the marking, oldest first"},
        "marked": described(INTEGER, "Inbound messages marked read now"),
        "not_marked": nullable("string", "Why none could be marked (the disk is full)")}},
    "Quarantined": {"type": "object", "properties": {
        "id": INTEGER, "received_at": TIME, "line_id": nullable("integer"),
        "reason": STRING, "pdu": described(STRING, "The PDU as it came, hex")}},
    "Contact": {"type": "object", "required": ["peer", "name"], "properties": {
        "peer": STRING, "name": STRING, "operator": nullable("string"), "created_at": TIME,
        "previous": nullable("string", "POST only: the name it had before; null when new")}},
    "OptOut": {"type": "object", "required": ["peer", "since"], "properties": {
        "peer": STRING, "since": TIME,
        "source": nullable("integer", "The inbound message that said it; null when an "
                           "agent recorded it"),
        "operator": nullable("string", "The agent who recorded it; null when it came by "
                             "text"),
        "keyword": described(STRING, "The word the peer sent (STOP, QUIT...), or AGENT"),
        "new": described(BOOLEAN, "POST only: false when the number had opted out before"),
        "reason": described(STRING, "POST only: the opt-out as one sentence")}},
    "AuditEntry": {"type": "object", "properties": {
        "id": INTEGER, "at": TIME, "operator": nullable("string"), "action": STRING,
        "peer": nullable("string"), "contact": nullable("string"),
        "message_id": nullable("integer"), "detail": nullable("string")}},
    "Resumed": {"type": "object", "required": ["line", "line_id", "was_paused"],
                "properties": {
        "line": described(STRING, "The line as asked for"), "line_id": INTEGER,
        "was_paused": nullable("string", "Why it was paused; null when it was not")}},
    "Delivery": {"type": "object", "properties": {
        "id": INTEGER, "target": described(STRING, "A webhook's url, or a hook's command "
                                           "as a JSON list"),
        "event": STRING, "event_id": INTEGER, "peer": nullable("string"), "status": STRING,
        "attempts": INTEGER, "next_attempt_at": TIME, "last_error": nullable("string"),
        "was": described(STRING, "retry only: the status it had")}},
    "Event": {"type": "object", "required": ["event_id", "event", "at"], "properties": {
        "event_id": INTEGER, "event": {"enum": list(EventKind)}, "at": TIME,
        "message": {"anyOf": [ref("Message"), {"type": "null"}]},
        "line": {"anyOf": [ref("Line"), {"type": "null"}]}, "peer": nullable("string"),
        "opted_out": described(BOOLEAN, "Opt-out events only")}},
}
