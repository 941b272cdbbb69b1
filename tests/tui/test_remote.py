"""The terminal desk of an agent who may not write the database: it reads, acts and
follows events through the daemon's API socket, and quits at once (its event stream
is closed under it, not left to the next keepalive). The database is made read-only
with mode 0444 (root too is refused then); the API server opened it before."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from modemd.api.client import Client
from modemd.api.server import ApiServer
from modemd.config import Config, Pace
from modemd.store import Store

from .support import one_line, running, until

GRACE = "+14155550123"


@pytest.fixture
def remote() -> Iterator[tuple[Path, Path]]:
    """(the database, the agents' configuration) with the daemon's API serving it."""
    folder = Path(tempfile.mkdtemp(prefix="mtui-"))
    database, socket = folder / "desk.db", folder / "api.sock"
    Store(database, create=True).close()
    server = ApiServer(Config(database=database, api_socket=str(socket),
                              pace=Pace(enabled=False)))
    server.start()
    database.chmod(0o444)
    agents = folder / "agents.toml"
    agents.write_text(f'api_socket = "{socket}"\n[pace]\nenabled = false\n')
    try:
        yield database, agents
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_through_the_socket_it_shows_what_happens_and_sends(remote: tuple[Path, Path]) -> None:
    database, agents = remote
    client = Client(database.parent / "api.sock")

    async def scenario() -> tuple[str, float]:
        async with running(database, config=agents) as pilot:
            assert pilot.app.session.desk.remote
            client.call("send_message", body={"to": GRACE, "text": "Your order left"})
            text = await until(pilot, "a send by another agent",
                               lambda t: "Your order left" in t and "◷ queued" in t)
            await pilot.click("#text")
            await pilot.press(*"On its way", "enter")
            text = await until(pilot, "the agent's own send", lambda t: "#2 queued" in t)
            began = time.monotonic()
        return text, time.monotonic() - began

    text, quitting = asyncio.run(scenario())
    assert "#2 queued to +14155550123" in one_line(text)
    assert quitting < 3.0, "the event stream was closed under the follower"
    sent = client.call("get_message", params={"id": 2})
    assert (sent["text"], sent["status"]) == ("On its way", "queued")
