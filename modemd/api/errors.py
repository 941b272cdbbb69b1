"""Every failure as the HTTP server answers it: the refusals of refusals.py (whose table
says which status each error gets), falcon's own (no route, a wrong method), and a
500 for anything else, which is a bug and is logged with its traceback."""

from __future__ import annotations

import logging
from typing import Any

import falcon

from modemd.api.refusals import ApiError, refusal

log = logging.getLogger(__name__)

ROUTES_HINT = "GET /v1/openapi.json lists the endpoints and their methods"


def translated(error: Exception, transport: str, asked: str = "this request") -> ApiError:
    """The answer to any exception a request raised; asked: "METHOD /path"."""
    refused = refusal(error, transport)
    if refused is not None:
        return refused
    if isinstance(error, falcon.HTTPError):
        return _falcon(error, asked)
    log.exception("api: the request failed unexpectedly")
    return ApiError(500, f"modemd failed unexpectedly: {type(error).__name__}: {error}",
                    "this is a bug: the daemon's log has the traceback; please report it")


def _falcon(error: falcon.HTTPError, asked: str) -> ApiError:
    """falcon's own refusals (no route, a wrong method) in the API's form."""
    if isinstance(error, falcon.HTTPMethodNotAllowed):
        allowed = (error.headers or {}).get("Allow", "")
        shown = " or ".join(m for m in allowed.split(", ") if m != "OPTIONS")
        return ApiError(405, f"{asked}: this endpoint takes {shown} only", ROUTES_HINT,
                        {"Allow": allowed})
    if error.status_code == 404:
        return ApiError(404, f"{asked}: no such endpoint", ROUTES_HINT)
    return ApiError(error.status_code, error.description or error.title, ROUTES_HINT,
                    dict(error.headers or {}))


def install(app: falcon.App, transport: str) -> None:
    """Route every exception through translated(), and answer in the API's form."""
    def handle(req: falcon.Request, resp: falcon.Response, error: Exception,
               params: dict[str, Any]) -> None:
        answer = translated(error, transport, f"{req.method} {req.path}")
        if answer.status >= 500 and answer.status != 500:
            log.warning("api: %s %s: %s", req.method, req.path, answer.error)
        resp.status = answer.status
        resp.media = {"error": answer.error, "hint": answer.hint}
        for name, value in answer.headers.items():
            resp.set_header(name, value)

    app.add_error_handler(Exception, handle)
    app.add_error_handler(falcon.HTTPError, handle)
