"""What a handler gets (the API's state and one checked request) and may give back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from modemd.api import identity
from modemd.config import Config
from modemd.store import Store

if TYPE_CHECKING:
    import falcon

    from modemd.api.events import Streams


@dataclass(frozen=True)
class Api:
    store: Store
    config: Config
    streams: Streams | None = None  # the HTTP server's; none in the CLI's process


@dataclass(frozen=True)
class Call:
    agent: identity.Agent
    req: falcon.Request | None  # None when the CLI calls in its own process
    params: dict[str, str]  # the path's {id} or {peer}, as given
    query: dict[str, Any]  # checked and converted (inputs.query), defaults filled in
    body: dict[str, Any]  # checked (inputs.fields); {} for an empty one

    def operator(self) -> str:
        """Whom the action is recorded under: the agent, or whom an admin names."""
        return identity.operator_for(self.agent, self.body.get("operator"))


@dataclass(frozen=True)
class Answer:
    """A handler's answer when it is more than a 200 with JSON: another status, headers,
    or a stream of bytes (the event stream)."""

    media: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterable[bytes] | None = None
