"""The API app under falcon's WSGI simulator, on a real Store and the real identity
module: a request "over the Unix socket" carries the uid the kernel would report, as
cheroot puts it in the environ (X_REMOTE_UID), so the agent is that user."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from falcon import testing

from modemd.api.app import make_app
from modemd.config import Config, Pace
from modemd.sms import Deliver, decode_from_sc, deliver_user_data, encode_deliver
from modemd.store import LineIdentity, Store

CUSTOMER, OTHER = "+14155550123", "+14155550124"
NOBODY = pwd.getpwnam("nobody")  # an agent who is no admin
ME = pwd.getpwuid(os.geteuid()).pw_name  # the test's own user: an admin (the daemon's)


def lab(database: Path, **settings: Any) -> Config:
    """The configuration of a lab desk: pace off unless given."""
    return Config(database=database, **({"pace": Pace(enabled=False)} | settings))


@dataclass
class Client:
    """Requests as one agent: a Unix-socket peer with that uid, or TCP with headers."""

    store: Store
    config: Config
    uid: int | None = os.geteuid()
    transport: str = "unix"
    headers: dict[str, str] | None = None

    def request(self, method: str, path: str, data: Any = None, **options: Any
                ) -> testing.Result:
        """data: sent as JSON; options: falcon's simulate_request's (body= raw bytes)."""
        app = make_app(self.store, self.config, self.transport)  # type: ignore[arg-type]
        extras = {} if self.uid is None else {"X_REMOTE_UID": str(self.uid)}
        if data is not None:
            options["json"] = data
        return testing.simulate_request(app, method, path, extras=extras,
                                        headers=self.headers, **options)

    def get(self, path: str, **params: Any) -> testing.Result:
        return self.request("GET", path, params=params)

    def post(self, path: str, data: Any = None, **options: Any) -> testing.Result:
        return self.request("POST", path, data, **options)

    def send(self, to: str = CUSTOMER, text: str = "hello", **more: Any) -> dict:
        answer = self.post("/v1/messages", {"to": to, "text": text, **more})
        assert answer.status_code == 201, answer.json
        return answer.json

    def as_agent(self, uid: int) -> Client:
        return Client(self.store, self.config, uid)


def refused(answer: testing.Result, status: int) -> str:
    """The error of a refusal: the status, and the API's form {"error", "hint"}."""
    assert answer.status_code == status, (answer.status, answer.text)
    assert set(answer.json) == {"error", "hint"} and answer.json["hint"], answer.json
    return answer.json["error"]


def add_line(store: Store, own_number: str = "+12015550101", n: int = 1) -> int:
    identity = LineIdentity(iccid=f"8901000000000000001{n}", imsi=f"31000000000001{n}",
                            imei=f"35000000000001{n}", own_number=own_number)
    line_id = store.lines.register(identity, name=f"desk-{n}", port=f"/dev/ttyUSB{n}")
    store.lines.set_state(line_id, "ok")
    return line_id


def texted(store: Store, line_id: int, sender: str, text: str) -> int:
    """An inbound text as a modem hands it to the store; its message id."""
    user_data, = deliver_user_data(text)
    pdu = encode_deliver(sender, user_data, timestamp=datetime.now(UTC)).pdu
    deliver = decode_from_sc(pdu)
    assert isinstance(deliver, Deliver)
    recorded = store.inbox.record(line_id, pdu, deliver)
    assert recorded.message_id is not None
    return recorded.message_id


def outbox(store: Store) -> list[dict]:
    return store.views.messages("out", limit=1000)
