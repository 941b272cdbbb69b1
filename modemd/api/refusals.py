"""A refusal as the API gives it: {"error": what happened, "hint": what to do} and a
status. Kept apart from the HTTP server (errors.py) so the CLI, calling the same
handlers in its own process, gets the same refusals as a client over the socket.

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

from modemd.api import identity
from modemd.errors import InvalidInputError, ModemdError
from modemd.store import IllegalTransition, NotFound, StoreError, StoreFull

_BY_CLASS: tuple[tuple[type[Exception], int, str], ...] = (
    (InvalidInputError, 400, "nothing was done; change the request as the error says (the "
     "CLI's --force and --at are the body's \"force\" and \"at\")"),
    (NotFound, 404, "GET /v1/messages?direction=out (or in) lists the messages"),
    (IllegalTransition, 409, "nothing was changed; GET /v1/messages/{id} shows its status"),
    (StoreFull, 507, "free space on the database's disk; nothing was stored meanwhile"),
    (StoreError, 503, "the database cannot be used just now: try again; `modemd status` "
     "on the appliance says more"),
)


class ApiError(ModemdError):
    """A request refused, with the status and hint of its answer: found by the API
    itself (a request it cannot use), or a ModemdError in the API's terms."""

    def __init__(self, status: int, error: str, hint: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.hint = status, error, hint
        self.headers = headers or {}


def refusal(error: Exception, transport: str = "unix") -> ApiError | None:
    """The answer to an exception a handler raised on purpose; None for anything
    else (a bug, which the caller reports as one)."""
    if isinstance(error, ApiError):
        return error
    if isinstance(error, identity.Refused):
        unauthorized = isinstance(error, identity.Unauthorized)
        headers = {"WWW-Authenticate": "Bearer"} if unauthorized and transport == "tcp" else {}
        return ApiError(401 if unauthorized else 403, error.error, error.hint, headers)
    if isinstance(error, ModemdError):
        for kind, status, hint in _BY_CLASS:
            if isinstance(error, kind):
                return ApiError(status, str(error), hint)
    return None
