"""Who an API request is from: on the Unix socket the connecting user, as the kernel says;
on TCP the agent of a valid bearer token; and whom each may act for. First with environ
dicts shaped as cheroot makes them, then through a real cheroot server and http.client,
connecting as root and as an unprivileged user."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cheroot import wsgi

from modemd.api.identity import (
    Agent,
    Forbidden,
    Refused,
    Unauthorized,
    authenticate,
    operator_for,
)
from modemd.errors import InvalidInputError
from modemd.store import Store
from tests.api.peer import UNPRIVILEGED, as_user, free_port, reachable_folder, tcp, unix

NOBODY = pwd.getpwnam(UNPRIVILEGED)
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0,
                               reason="connecting as another user needs root")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "m.db")
    yield opened
    opened.close()


def peer(uid: int, **more: str) -> dict:
    """A Unix-socket environ as cheroot (peercreds_enabled) makes it."""
    return {"REQUEST_METHOD": "GET", "PATH_INFO": "/v1/health", "SERVER_PORT": "",
            "X_REMOTE_PID": "4321", "X_REMOTE_UID": str(uid), "X_REMOTE_GID": str(uid),
            **more}


def over_tcp(**headers: str) -> dict:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": "/v1/health", "SERVER_PORT": "8025",
            "REMOTE_ADDR": "127.0.0.1", **headers}


def unused_uid() -> int:
    taken = {user.pw_uid for user in pwd.getpwall()}
    return next(uid for uid in range(54321, 60000) if uid not in taken)


# ---- the Unix socket ---------------------------------------------------------------------


def test_on_the_socket_the_agent_is_the_connecting_user(store: Store) -> None:
    assert authenticate(peer(NOBODY.pw_uid), store, "unix") == Agent(UNPRIVILEGED, False)


def test_root_and_the_daemons_own_user_are_admins(store: Store) -> None:
    assert authenticate(peer(0), store, "unix") == Agent("root", True)
    me = pwd.getpwuid(os.geteuid()).pw_name
    assert authenticate(peer(os.geteuid()), store, "unix") == Agent(me, True)


@ROOT_ONLY
def test_a_daemon_running_as_another_user_makes_that_user_admin(store: Store) -> None:
    as_nobody = as_user(UNPRIVILEGED, lambda: authenticate(peer(NOBODY.pw_uid), None,
                                                           "unix"))
    assert as_nobody == Agent(UNPRIVILEGED, True)
    assert authenticate(peer(NOBODY.pw_uid), store, "unix").admin is False  # root's daemon


def test_the_user_named_modemd_is_an_admin(store: Store,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    uid, real = unused_uid(), pwd.getpwuid

    def users(asked: int) -> pwd.struct_passwd:
        if asked == uid:
            return pwd.struct_passwd(("modemd", "x", uid, uid, "", "/", "/bin/false"))
        return real(asked)

    monkeypatch.setattr(pwd, "getpwuid", users)
    assert authenticate(peer(uid), store, "unix") == Agent("modemd", True)


def test_a_token_on_the_socket_changes_nobody(store: Store) -> None:
    secret, _ = store.tokens.create("alice", "root")
    environ = peer(NOBODY.pw_uid, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert authenticate(environ, store, "unix") == Agent(UNPRIVILEGED, False)


@pytest.mark.parametrize("environ", [
    {"REQUEST_METHOD": "GET", "SERVER_PORT": ""},  # peer credentials failed
    {"REQUEST_METHOD": "GET", "HTTP_X_REMOTE_UID": "0"},  # a header is not the kernel
    {"X_REMOTE_UID": ""}, {"X_REMOTE_UID": "-1"}, {"X_REMOTE_UID": "root"},
    {"X_REMOTE_UID": "\u0660"}, {"X_REMOTE_UID": 0},  # only what cheroot writes
])
def test_without_peer_credentials_nobody_is_guessed(store: Store, environ: dict) -> None:
    with pytest.raises(Unauthorized, match="did not say who connected") as refused:
        authenticate(environ, store, "unix")
    assert "token" in refused.value.hint


def test_a_uid_without_a_user_name_is_refused(store: Store) -> None:
    uid = unused_uid()
    with pytest.raises(Forbidden, match=f"uid {uid} has no user name") as refused:
        authenticate(peer(uid), store, "unix")
    assert "/etc/passwd" in refused.value.hint


# ---- TCP ---------------------------------------------------------------------------------


def test_over_tcp_the_agent_is_the_tokens(store: Store) -> None:
    secret, _ = store.tokens.create("alice", "root")
    for scheme in ("Bearer", "bearer", "BEARER"):
        environ = over_tcp(HTTP_AUTHORIZATION=f"{scheme} {secret}")
        assert authenticate(environ, store, "tcp") == Agent("alice", False)


def test_a_token_is_never_an_admin_even_for_root(store: Store) -> None:
    secret, _ = store.tokens.create("root", "root")
    environ = over_tcp(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert authenticate(environ, store, "tcp") == Agent("root", False)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic YWxpY2U6eA==",
                                    "mdm_abc"])
def test_no_bearer_token_is_unauthorized(store: Store, header: str | None) -> None:
    environ = over_tcp() if header is None else over_tcp(HTTP_AUTHORIZATION=header)
    with pytest.raises(Unauthorized, match="no bearer token") as refused:
        authenticate(environ, store, "tcp")
    assert "modemd token create AGENT" in refused.value.hint


def test_a_wrong_or_revoked_token_is_unauthorized(store: Store) -> None:
    secret, made = store.tokens.create("alice", "root")
    store.tokens.revoke(str(made.id), "root")
    for token in (secret, secret[:-1] + ("A" if secret[-1] != "A" else "B")):
        with pytest.raises(Unauthorized, match="not valid: unknown, or revoked"):
            authenticate(over_tcp(HTTP_AUTHORIZATION=f"Bearer {token}"), store, "tcp")


def test_peer_credentials_mean_nothing_over_tcp(store: Store) -> None:
    with pytest.raises(Unauthorized):
        authenticate(over_tcp(X_REMOTE_UID="0"), store, "tcp")


def test_the_transport_is_one_of_two(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown transport"):
        authenticate(peer(0), store, "http")  # type: ignore[arg-type]


# ---- acting for another agent ------------------------------------------------------------


@pytest.mark.parametrize("requested", [None, "alice"])
def test_everyone_acts_as_themselves(requested: str | None) -> None:
    assert operator_for(Agent("alice", False), requested) == "alice"


def test_only_admins_act_for_another() -> None:
    assert operator_for(Agent("root", True), "alice") == "alice"
    with pytest.raises(Forbidden, match="alice may not act for 'bob'") as refused:
        operator_for(Agent("alice", False), "bob")
    assert "leave operator out" in refused.value.hint


@pytest.mark.parametrize("requested", ["", "two words", "bell\x07", 42, ["alice"]])
def test_an_admin_names_an_agent_that_is_a_name(requested: object) -> None:
    with pytest.raises(InvalidInputError):
        operator_for(Agent("root", True), requested)
    with pytest.raises(Forbidden):
        operator_for(Agent("alice", False), requested)


# ---- through a real server ---------------------------------------------------------------


def identify(store: Store, transport: str):
    def app(environ: dict, start_response) -> list[bytes]:
        try:
            agent = authenticate(environ, store, transport)  # type: ignore[arg-type]
            status, body = "200 OK", {"name": agent.name, "admin": agent.admin}
        except Refused as refused:
            status = "401 Unauthorized" if isinstance(refused, Unauthorized) else "403 Forbidden"
            body = {"error": refused.error, "hint": refused.hint}
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]
    return app


@contextlib.contextmanager
def serving(bind: str | tuple[str, int], app) -> Iterator[None]:
    server = wsgi.Server(bind, app, numthreads=2, peercreds_enabled=isinstance(bind, str))
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield
    server.stop()
    thread.join(timeout=5)


@pytest.fixture
def unix_server(store: Store) -> Iterator[Path]:
    with reachable_folder() as folder:
        path = folder / "api.sock"
        with serving(str(path), identify(store, "unix")):
            yield path


@pytest.fixture
def tcp_server(store: Store) -> Iterator[int]:
    port = free_port()
    with serving(("127.0.0.1", port), identify(store, "tcp")):
        yield port


def test_a_real_socket_tells_root_from_a_user(unix_server: Path) -> None:
    me = pwd.getpwuid(os.geteuid()).pw_name
    assert unix(unix_server, "GET", "/").body == {"name": me, "admin": True}


@ROOT_ONLY
def test_a_real_socket_names_the_unprivileged_user(unix_server: Path) -> None:
    unix_server.chmod(0o777)  # the test's socket: open to the test's other user
    answer = as_user(UNPRIVILEGED, lambda: unix(
        unix_server, "GET", "/", headers={"Authorization": "Bearer mdm_forged",
                                          "X-Remote-Uid": "0"}))
    assert (answer.status, answer.body) == (200, {"name": UNPRIVILEGED, "admin": False})


def test_a_real_tcp_listener_wants_a_valid_token(store: Store, tcp_server: int) -> None:
    secret, _ = store.tokens.create("alice", "root")
    good = tcp(tcp_server, "GET", "/", headers={"Authorization": f"Bearer {secret}"})
    assert (good.status, good.body) == (200, {"name": "alice", "admin": False})
    bad = tcp(tcp_server, "GET", "/", headers={"Authorization": "Bearer mdm_wrong"})
    assert bad.status == 401 and "modemd token create" in bad.body["hint"]
