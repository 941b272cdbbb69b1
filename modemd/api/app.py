"""The WSGI app: the route table (openapi.ROUTES) wired to its handlers. Every request
first learns who is asking (identity.authenticate), then its inputs are checked
against the route's schemas, then the handler calls the desk, as the CLI does."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Literal

import falcon
import falcon.media

from modemd.api import errors, events, identity, inputs, openapi
from modemd.api.calls import Api
from modemd.api.invoke import answered, checked, handlers
from modemd.config import Config
from modemd.store import Store


class _Identify:
    """Middleware: the agent of every request, before routing (an unknown route asked
    without a token is a 401 on TCP, not a 404 that tells what exists)."""

    def __init__(self, store: Store, transport: Literal["unix", "tcp"]) -> None:
        self.store, self.transport = store, transport

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.agent = identity.authenticate(req.env, self.store, self.transport)


def make_app(store: Store, config: Config, transport: Literal["unix", "tcp"],
             streams: events.Streams | None = None) -> falcon.App:
    """The API over store for requests coming in on transport ("unix": the agent is the
    peer's user; "tcp": a bearer token's). streams: the event streams' registry, shared
    by the server's listeners (a new one by default)."""
    missing = {route.operation for route in openapi.ROUTES} - handlers().keys()
    if missing:  # a route in the table without a handler is a bug found at start
        raise RuntimeError(f"api routes without a handler: {sorted(missing)}")
    api = Api(store, config, streams or events.Streams())
    app = falcon.App(middleware=[_Identify(store, transport)])
    app.req_options.auto_parse_qs_csv = False
    app.req_options.keep_blank_qs_values = True  # ?unread= is refused, not ignored
    dumps = functools.partial(json.dumps, ensure_ascii=False, default=str)
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = falcon.media.JSONHandler(dumps=dumps)
    errors.install(app, transport)
    by_path: dict[str, dict[str, openapi.Route]] = {}
    for route in openapi.ROUTES:
        by_path.setdefault(route.path, {})[route.method] = route
    for path, methods in by_path.items():
        app.add_route(path, _Resource(api, methods))
    return app


class _Resource:
    """One path: an on_<method> responder per route of the table at that path."""

    def __init__(self, api: Api, methods: dict[str, openapi.Route]) -> None:
        for method, route in methods.items():
            setattr(self, f"on_{method.lower()}", _responder(api, route))


def _responder(api: Api, route: openapi.Route) -> Callable[..., None]:
    def respond(req: falcon.Request, resp: falcon.Response, **params: str) -> None:
        raw = b"" if route.body is None else inputs.read(req.bounded_stream, req.content_length)
        call = checked(route, req.context.agent, params=params, query=req.params,
                       body=inputs.parsed(raw), req=req)
        answer = answered(api, route.operation, call)
        resp.status = answer.status
        for name, value in answer.headers.items():
            resp.set_header(name, value)
        if answer.stream is not None:
            resp.content_type = route.content
            resp.stream = answer.stream
        else:
            resp.media = answer.media

    respond.__name__ = f"on_{route.method.lower()}"
    return respond
