"""Who is asking: the agent behind an API request, and whom they may act for.

On the Unix socket the kernel says who connected (SO_PEERCRED: cheroot puts the peer's
uid in the WSGI environ as X_REMOTE_UID, a name no request header can take, since
headers arrive as HTTP_*); the agent is that uid's user name, and nothing in the
request changes it. On TCP the agent is the one a bearer token was made for.

Admins may pass "operator" to act for another agent: on the socket root, the user
`modemd` and the user the daemon runs as. A token is never an admin: it is a secret
that can be copied, and whoever holds an admin token could write any name into the
audit trail. An integration that acts for several agents gets a token per agent.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from modemd.store.tokens import check_agent

if TYPE_CHECKING:
    from modemd.store import Store

ADMIN_USER = "modemd"  # the daemon's user on an installed appliance
TOKEN_HINT = "a valid token is needed: `modemd token create AGENT` on the appliance"


@dataclass(frozen=True)
class Agent:
    name: str
    admin: bool  # may act for another agent


class Refused(Exception):
    """A request turned away before it did anything: error and hint as the API shows."""

    def __init__(self, error: str, hint: str) -> None:
        super().__init__(error)
        self.error = error
        self.hint = hint


class Unauthorized(Refused):
    """Nobody known is asking (HTTP 401; on TCP with WWW-Authenticate: Bearer)."""


class Forbidden(Refused):
    """Someone known asks for what they may not do (HTTP 403)."""


def authenticate(environ: dict, store: Store,
                 transport: Literal["unix", "tcp"]) -> Agent:
    """The agent making the request that environ (cheroot's WSGI environ) describes;
    transport: which listener it came in on, as the server knows it, never the request.
    Unauthorized or Forbidden when there is none."""
    if transport == "unix":
        return _peer(environ)
    if transport == "tcp":
        return _bearer(environ, store)
    raise ValueError(f"unknown transport {transport!r}: 'unix' or 'tcp'")


def operator_for(agent: Agent, requested: object) -> str:
    """The operator an action is recorded under: the agent, or the one an admin names.
    Forbidden for anyone else naming another; InvalidInputError for a name that is
    not one (empty, spaces, control characters)."""
    if requested is None or requested == agent.name:
        return agent.name
    if not agent.admin:
        raise Forbidden(
            f"{agent.name} may not act for {requested!r}: only root and the daemon's user "
            "may pass another agent as operator",
            "leave operator out: the action is recorded as yours")
    return check_agent(requested)


def _peer(environ: dict) -> Agent:
    uid = environ.get("X_REMOTE_UID")
    if not (isinstance(uid, str) and uid.isascii() and uid.isdigit()):  # never guess
        raise Unauthorized(
            "the Unix socket did not say who connected (no peer credentials)",
            "modemd needs Linux SO_PEERCRED on its socket; use the TCP listener with a "
            "token otherwise")
    uid = int(uid)
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        raise Forbidden(
            f"uid {uid} has no user name, and the agent is the connecting user's name",
            "connect as a user listed in /etc/passwd (useradd one for this agent)"
        ) from None
    return Agent(name, admin=uid in (0, os.geteuid()) or name == ADMIN_USER)


def _bearer(environ: dict, store: Store) -> Agent:
    header = environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("no bearer token: send the header `Authorization: Bearer TOKEN`",
                           TOKEN_HINT)
    found = store.tokens.verify(token)
    if found is None:
        raise Unauthorized("the token is not valid: unknown, or revoked", TOKEN_HINT)
    return Agent(found.agent, admin=False)
