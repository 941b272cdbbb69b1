"""/v1/messages: send, list, show, reply, cancel, resend; each the desk's or the store's
own function, as the CLI calls it, and the daemon nudged after anything queued."""

from __future__ import annotations

from datetime import datetime

from modemd.api.calls import Answer, Api, Call
from modemd.api.inputs import whole
from modemd.api.refusals import ApiError
from modemd.desk import claims, sending, when
from modemd.errors import InvalidInputError
from modemd.wake import poke

LIST_HINT = "GET /v1/messages?direction=out (or in) lists the messages"


def send_message(api: Api, call: Call) -> Answer:
    operator, line = call.operator(), call.body.get("line")
    sent = sending.send(api.store, call.body["to"], call.body["text"], operator=operator,
                        line=None if line is None else str(line),
                        default_region=api.config.default_region, options=_options(api, call))
    poke(api.config.database)
    return _queued(sent)


def reply_message(api: Api, call: Call) -> Answer:
    message_id, operator = _id(call), call.operator()
    try:
        sent = sending.reply(api.store, message_id, call.body["text"], operator=operator,
                             default_region=api.config.default_region,
                             options=_options(api, call))
    except InvalidInputError as error:  # the desk's words; 404 when there is no message
        if api.store.views.message(message_id) is None:
            raise ApiError(404, str(error), LIST_HINT) from error
        raise
    poke(api.config.database)
    return _queued(sent)


def cancel_message(api: Api, call: Call) -> dict:
    message_id = _id(call)
    api.store.schedule.cancel(message_id, call.operator())
    poke(api.config.database)  # the daemon drops its timer for a scheduled one
    return _message(api, message_id)


def resend_message(api: Api, call: Call) -> dict:
    message_id = _id(call)
    api.store.outbox.resend(message_id, call.operator())
    poke(api.config.database)
    return _message(api, message_id)


def get_message(api: Api, call: Call) -> dict:
    return _message(api, _id(call))


def list_messages(api: Api, call: Call) -> list[dict]:
    direction, peer, unread = (call.query[k] for k in ("direction", "peer", "unread"))
    if unread and direction != "in":
        raise ApiError(400, "unread is for direction=in: only inbound messages are read or "
                       "unread", "leave unread out, or ask for direction=in")
    if peer is not None:  # a number in any form, a contact's name, or a sender name
        peer = claims.thread_peer(api.store, peer, api.config.default_region)
    return api.store.views.messages(direction, limit=call.query["limit"], peer=peer,
                                    status=call.query["status"], unread=bool(unread))


def _id(call: Call) -> int:
    return whole("message id", call.params["id"], 1)


def _message(api: Api, message_id: int) -> dict:
    found = api.store.views.message(message_id)
    if found is None:
        raise ApiError(404, f"no message {message_id}: see `modemd outbox` / `modemd inbox`",
                       LIST_HINT)
    return found


def _options(api: Api, call: Call) -> sending.Options:
    at = call.body.get("at")
    moment: datetime | None = None if at is None else when.parse(at)
    return sending.Options(at=moment, force=bool(call.body.get("force")),
                           pace=api.config.pace)


def _queued(sent: sending.Sent) -> Answer:
    shown = {"id": sent.message_id, "status": sent.status, "parts": sent.parts,
             "encoding": sent.encoding, "peer": sent.peer, "scheduled_for": sent.scheduled_for}
    if sent.warnings:
        shown["warnings"] = list(sent.warnings)
    return Answer(shown, 201, {"Location": f"/v1/messages/{sent.message_id}"})


HANDLERS = {"send_message": send_message, "list_messages": list_messages,
            "get_message": get_message, "reply_message": reply_message,
            "cancel_message": cancel_message, "resend_message": resend_message}
