"""A Server-Sent Events client on http.client over the API's Unix socket: what an
integration reading /v1/events does, frame by frame."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.api.peer import UnixHTTPConnection


@dataclass
class Frame:
    """One SSE block: its fields (id, event, data, retry) and its comment lines."""

    fields: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    @property
    def event(self) -> dict | None:
        return json.loads(self.fields["data"]) if "data" in self.fields else None


class EventStream:
    """GET /v1/events (with Last-Event-ID or a query); reads frames as they come."""

    def __init__(self, socket: Path | str, query: str = "",
                 last_event_id: int | str | None = None, timeout: float = 10.0) -> None:
        self.connection = UnixHTTPConnection(str(socket), timeout=timeout)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.connection.request("GET", f"/v1/events{query}", headers=headers)
        self.response = self.connection.getresponse()

    @property
    def status(self) -> int:
        return self.response.status

    def frame(self) -> Frame | None:
        """The next frame; None when the server ended the stream."""
        found = Frame()
        while True:
            line = self.response.readline()
            if not line:
                return None
            text = line.decode().rstrip("\n")
            if not text:
                if found.fields or found.comments:
                    return found
                continue
            if text.startswith(":"):
                found.comments.append(text[1:].strip())
            else:
                name, _, value = text.partition(":")
                found.fields[name] = value.removeprefix(" ")

    def events(self, count: int) -> list[dict]:
        """The next count events (comments skipped)."""
        got: list[dict] = []
        while len(got) < count:
            frame = self.frame()
            assert frame is not None, f"the stream ended after {len(got)} of {count} events"
            if frame.event is not None:
                assert frame.fields["id"] == str(frame.event["event_id"])
                assert frame.fields["event"] == frame.event["event"]
                got.append(frame.event)
        return got

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def error_of(response: http.client.HTTPResponse) -> dict:
    return json.loads(response.read())
