"""Calling an API operation: the one way to a handler, for the HTTP server (app.py) and
for the CLI in its own process (api/reach.py) alike: the route's inputs checked against
its schemas, then its handler, whose refusals come out as the ApiError a client of the
socket would read. So a command gives the same answer on either side of the socket."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from modemd.api import inputs, openapi
from modemd.api.calls import Answer, Api, Call
from modemd.api.identity import Agent
from modemd.api.refusals import refusal
from modemd.errors import ModemdError

if TYPE_CHECKING:
    import falcon

Handler = Callable[[Api, Call], Any]
# The modules whose HANDLERS serve the routes, in the order they are looked in: a command
# in its own process imports them only as far as its operation (CLI start-up), the
# server all of them (handlers()).
SERVING = ("messages", "overview", "people", "upkeep", "events", "openapi")
ROUTES: dict[str, openapi.Route] = {route.operation: route for route in openapi.ROUTES}


def checked(route: openapi.Route, agent: Agent, *, params: dict[str, str],
            query: dict[str, Any], body: Any, req: falcon.Request | None = None) -> Call:
    """The call of route with its inputs checked: query values as the query string
    gives them (text), the body as parsed JSON; an ApiError (400) for anything off."""
    return Call(agent=agent, req=req, params=params,
                query=inputs.query(query, route.parameters),
                body={} if route.body is None else inputs.fields(body, route.body))


def answered(api: Api, operation: str, call: Call) -> Answer:
    answer = handler(operation)(api, call)
    return answer if isinstance(answer, Answer) else Answer(answer)


def invoke(api: Api, agent: Agent, operation: str, *, params: dict[str, Any] | None = None,
           query: dict[str, Any] | None = None, body: dict[str, Any] | None = None) -> Any:
    """The operation's JSON answer, called in this process; None values are left out,
    as a client leaves them out of its request. Raises the ApiError a client would get."""
    route = ROUTES[operation]
    try:
        call = checked(route, agent, params={k: str(v) for k, v in (params or {}).items()},
                       query=present(query), body=present(body))
        return answered(api, operation, call).media
    except ModemdError as error:
        refused = refusal(error)
        if refused is None or refused is error:
            raise
        raise refused from error


def present(values: dict[str, Any] | None) -> dict[str, Any]:
    """values without the None ones: a field left out, not sent as null."""
    return {name: value for name, value in (values or {}).items() if value is not None}


@functools.cache
def handler(operation: str) -> Handler:
    for name in SERVING:
        served = importlib.import_module(f"modemd.api.{name}").HANDLERS
        if operation in served:
            return served[operation]
    raise KeyError(f"no handler serves the api operation {operation!r}")


def handlers() -> dict[str, Handler]:
    """Every operation's handler (the server's start: a route without one is a bug)."""
    return {operation: served for name in SERVING
            for operation, served in importlib.import_module(f"modemd.api.{name}")
            .HANDLERS.items()}
