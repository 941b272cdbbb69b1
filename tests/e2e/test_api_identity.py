"""The API's agents, end to end: the real daemon serving its Unix socket and TCP, real
HTTP clients. Over TCP a send with a valid token is the token's agent's, and no token,
a wrong one or a revoked one is a 401; on the socket the agent is the connecting Unix
user (root, or an unprivileged user connecting from its own process); only admins act
for another agent, and a refused send queues nothing; TLS when configured."""

from __future__ import annotations

import http.client
import os
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.api.peer import (
    UNPRIVILEGED,
    Answer,
    as_user,
    free_port,
    reachable_folder,
    self_signed,
    tcp,
    trusting,
    unix,
)
from tests.e2e.conftest import Desk, outside, wait_for

MESSAGES = "/v1/messages"


@dataclass
class Api:
    desk: Desk
    socket: Path
    port: int

    def bearer(self, agent: str) -> dict[str, str]:
        """Authorization for a new token of agent's, made as an administrator does."""
        return {"Authorization": f"Bearer {self.desk.cli.run('token', 'create', agent)['token']}"}

    def queued(self) -> int:
        return len(self.desk.cli.outbox())

    def recorded(self, answer: Answer) -> tuple[str, str]:
        """The operator of the message a send made, and of its audit entry."""
        assert answer.status == 201, answer
        message_id = answer.body["id"]
        entry, = [e for e in self.desk.cli.run("audit", "--limit", "1000")
                  if e["message_id"] == message_id]
        return self.desk.cli.show(message_id)["operator"], entry["operator"]


@pytest.fixture
def api(make_desk: Callable[..., Desk]) -> Iterator[Api]:
    """A desk whose daemon serves the API on a socket every user may reach (the test's
    unprivileged user too) and on TCP."""
    with reachable_folder() as folder:
        port, path = free_port(), folder / "api.sock"
        desk = make_desk(settings={"api_socket": str(path), "api_listen": f"127.0.0.1:{port}"})
        wait_for("the API socket", lambda: _answers(lambda: unix(path, "GET", "/v1/health")))
        yield Api(desk, path, port)


def send(n: int, **more: str) -> dict:
    return {"to": outside(n), "text": f"hello {n}", **more}


def refused(answer: Answer, status: int) -> str:
    """The error of a refusal in the API's form: its status and JSON error and hint."""
    assert answer.status == status, answer
    assert set(answer.body) == {"error", "hint"} and answer.body["hint"], answer
    return answer.body["error"]


def test_over_tcp_a_valid_token_is_its_agent_and_nothing_else_gets_in(api: Api) -> None:
    alice = api.bearer("alice")
    sent = tcp(api.port, "POST", MESSAGES, send(1), alice)
    assert api.recorded(sent) == ("alice", "alice")
    listed, = api.desk.cli.run("token", "list")
    assert listed["last_used_at"] is not None

    wrong = {"Authorization": "Bearer mdm_" + "x" * 43}
    for headers in ({}, wrong, {"Authorization": alice["Authorization"][:-2]}):
        answer = tcp(api.port, "POST", MESSAGES, send(2), headers)
        assert "token" in refused(answer, 401)
        assert answer.headers["www-authenticate"] == "Bearer"
        assert "modemd token create AGENT" in answer.body["hint"]
    assert refused(tcp(api.port, "GET", "/v1/no-such-thing"), 401)  # before routing

    # a token is never an admin, whatever its agent's name
    for token in (alice, api.bearer("root")):
        answer = tcp(api.port, "POST", MESSAGES, send(3, operator="bob"), token)
        assert "may not act for 'bob'" in refused(answer, 403)
    assert api.queued() == 1

    # revoked while the daemon runs: refused from the next request on
    api.desk.cli.run("token", "revoke", "1", as_json=False)
    answer = tcp(api.port, "POST", MESSAGES, send(4), alice)
    assert "unknown, or revoked" in refused(answer, 401)
    assert api.queued() == 1


def test_on_the_socket_the_agent_is_the_connecting_user(api: Api) -> None:
    # root, and an admin: a token on the socket changes nothing, "operator" does
    alice = api.bearer("alice")
    assert api.recorded(unix(api.socket, "POST", MESSAGES, send(5), alice)) == ("root", "root")
    as_alice = unix(api.socket, "POST", MESSAGES, send(6, operator="alice"))
    assert api.recorded(as_alice) == ("alice", "alice")
    assert os.stat(api.socket).st_mode & 0o777 == 0o660  # the agents' group, nobody else


@pytest.mark.skipif(os.geteuid() != 0, reason="connecting as another user needs root")
def test_an_unprivileged_user_is_itself_and_may_not_act_for_another(api: Api) -> None:
    api.socket.chmod(0o666)  # the test's socket: open to the test's other user

    def post(body: dict) -> Answer:
        return as_user(UNPRIVILEGED, lambda: unix(api.socket, "POST", MESSAGES, body))

    assert api.recorded(post(send(7))) == (UNPRIVILEGED, UNPRIVILEGED)
    assert api.recorded(post(send(8, operator=UNPRIVILEGED))) == (UNPRIVILEGED, UNPRIVILEGED)
    before = api.queued()
    error = refused(post(send(9, operator="alice")), 403)
    assert f"{UNPRIVILEGED} may not act for 'alice'" in error
    assert api.queued() == before


def test_tls_serves_https_with_tokens_and_refuses_plain_http(
        make_desk: Callable[..., Desk], tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    port = free_port()
    desk = make_desk(settings={"api_listen": f"127.0.0.1:{port}", "api_tls_cert": str(cert),
                               "api_tls_key": str(key)})
    tls = trusting(cert)
    wait_for("the API over TLS", lambda: _answers(lambda: tcp(port, "GET", "/v1/health",
                                                              tls=tls)))
    token = {"Authorization": f"Bearer {desk.cli.run('token', 'create', 'alice')['token']}"}
    sent = tcp(port, "POST", MESSAGES, send(10), token, tls=tls)
    assert sent.status == 201, sent
    assert desk.cli.show(sent.body["id"])["operator"] == "alice"
    assert refused(tcp(port, "POST", MESSAGES, send(11), tls=tls), 401)

    try:
        plain = tcp(port, "POST", MESSAGES, send(12), token)
    except (http.client.HTTPException, OSError):
        plain = None  # the connection dropped: no HTTP spoken
    assert plain is None or plain.status == 400, plain
    with pytest.raises(ssl.SSLCertVerificationError):  # only a client trusting the cert
        tcp(port, "GET", "/v1/health", tls=ssl.create_default_context())
    assert len(desk.cli.outbox()) == 1


def _answers(request: Callable[[], Answer]) -> Answer | None:
    try:
        return request()
    except OSError:
        return None  # not listening yet
