"""/v1/lines/{line}/resume, /v1/quarantine and /v1/deliveries: keeping the box
working, as `modemd resume`, `quarantine`, `hooks` and `hooks retry` do."""

from __future__ import annotations

from modemd.api.calls import Api, Call
from modemd.api.inputs import whole
from modemd.desk import sending
from modemd.wake import notify_watchers, poke


def resume_line(api: Api, call: Call) -> dict:
    line = call.params["line"]
    line_id = sending.line_id(api.store, line)
    cause = api.store.lines.request_resume(line_id, call.operator())
    poke(api.config.database)  # a running daemon acts at once
    return {"line": line, "line_id": line_id, "was_paused": cause}


def list_quarantine(api: Api, call: Call) -> list[dict]:
    return api.store.views.quarantine()


def list_deliveries(api: Api, call: Call) -> list[dict]:
    return api.store.deliveries.listing(limit=call.query["limit"])


def retry_delivery(api: Api, call: Call) -> dict:
    delivery_id = whole("delivery id", call.params["id"], 1)
    row = api.store.deliveries.retry(delivery_id, call.operator())
    notify_watchers(api.config.database)  # the daemon's deliverer wakes on the events' nudge
    return {**row, "was": row["status"]}


HANDLERS = {"resume_line": resume_line, "list_quarantine": list_quarantine,
            "list_deliveries": list_deliveries, "retry_delivery": retry_delivery}
