"""The endpoint: /metrics in the Prometheus text format, 404 elsewhere, any free port
on request, the port freed by stop(), and a port in use refused with what to do."""

from __future__ import annotations

import socket

import pytest

from modemd.daemon.metrics import MetricsServer
from modemd.errors import InvalidInputError
from modemd.store import Store

from .conftest import Samples, fetch


@pytest.fixture
def server(store: Store):
    server = MetricsServer(("127.0.0.1", 0), store)
    server.start()
    yield server
    server.stop()


def test_metrics_in_the_text_format_and_nothing_else(server: MetricsServer) -> None:
    assert server.port > 0  # port 0 asked for any free one
    status, content_type, body = fetch(server.port)
    assert status == 200
    assert content_type.startswith("text/plain; version=0.0.4")
    assert Samples(body).get("modemd_database_up") == 1
    for path in ("/", "/metrics/x", "/favicon.ico", "/static"):
        status, _, body = fetch(server.port, path)
        assert (status, "/metrics" in body) == (404, True), path


def test_stop_frees_the_port_for_the_next_start(store: Store, server: MetricsServer) -> None:
    port = server.port
    server.stop()
    with pytest.raises(OSError):
        fetch(port)
    again = MetricsServer(("127.0.0.1", port), store)
    again.start()
    try:
        assert again.port == port and fetch(port)[0] == 200
    finally:
        again.stop()


def test_a_port_in_use_is_refused_with_the_address_and_what_to_do(store: Store) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = MetricsServer(("127.0.0.1", port), store)
        with pytest.raises(InvalidInputError) as refused:
            server.start()
    message = str(refused.value)
    assert f"127.0.0.1:{port}" in message
    assert "another program listens there" in message and "free port" in message
    server.stop()  # never started: nothing to do


def test_an_address_not_of_this_machine_is_refused(store: Store) -> None:
    with pytest.raises(InvalidInputError, match=r"cannot serve metrics on 192\.0\.2\.1:9597"):
        MetricsServer(("192.0.2.1", 9597), store).start()  # TEST-NET-1: nobody's address
