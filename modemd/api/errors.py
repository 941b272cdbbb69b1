"""Every failure as the API shows it: {"error": what happened, "hint": what to do}
with a 4xx or 5xx status. The error is the desk's or the store's own words, the same
the CLI prints; the hint says what to do over HTTP.

| raised                              | status |
|-------------------------------------|--------|
| a body, query or path value off     | 400    |
| InvalidInputError (the desk's rules: bad input, opted out, pace, claimed) | 400 |
| identity.Unauthorized               | 401 (TCP: WWW-Authenticate: Bearer) |
| identity.Forbidden                  | 403    |
| NotFound, no such message, no route | 404    |
| a method the route has not          | 405    |
| IllegalTransition                   | 409    |
| a body over 64 KiB                  | 413    |
| StoreFull                           | 507    |
| any other StoreError                | 503    |
| anything else (a bug)               | 500    |
"""

from __future__ import annotations

import logging
from typing import Any

import falcon

from modemd.api import identity
from modemd.errors import InvalidInputError, ModemdError
from modemd.store import IllegalTransition, NotFound, StoreError, StoreFull

log = logging.getLogger(__name__)

ROUTES_HINT = "GET /v1/openapi.json lists the endpoints and their methods"
_BY_CLASS: tuple[tuple[type[Exception], int, str], ...] = (
    (InvalidInputError, 400, "nothing was done; change the request as the error says (the "
     "CLI's --force and --at are the body's \"force\" and \"at\")"),
    (NotFound, 404, "GET /v1/messages?direction=out (or in) lists the messages"),
    (IllegalTransition, 409, "nothing was changed; GET /v1/messages/{id} shows its status"),
    (StoreFull, 507, "free space on the database's disk; nothing was stored meanwhile"),
    (StoreError, 503, "the database cannot be used just now: try again; `modemd status` "
     "on the appliance says more"),
)


class ApiError(Exception):
    """A failure the API itself finds (a request it cannot use), with its answer."""

    def __init__(self, status: int, error: str, hint: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.hint = status, error, hint
        self.headers = headers or {}


def translated(error: Exception, transport: str, asked: str = "this request") -> ApiError:
    """The answer to any exception a request raised; asked: "METHOD /path"."""
    if isinstance(error, ApiError):
        return error
    if isinstance(error, identity.Refused):
        unauthorized = isinstance(error, identity.Unauthorized)
        headers = {"WWW-Authenticate": "Bearer"} if unauthorized and transport == "tcp" else {}
        return ApiError(401 if unauthorized else 403, error.error, error.hint, headers)
    if isinstance(error, falcon.HTTPError):
        return _falcon(error, asked)
    if isinstance(error, ModemdError):
        for kind, status, hint in _BY_CLASS:
            if isinstance(error, kind):
                return ApiError(status, str(error), hint)
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
