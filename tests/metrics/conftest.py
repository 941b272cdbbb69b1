"""Metrics read as Prometheus reads them: GET /metrics over HTTP, parsed by
prometheus_client's own text parser. The database comes from the store tests' helpers,
the worker rig (a real LineWorker on an in-process emulated line) from tests/services."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from services.conftest import Bench, bench, store, wait_for

from modemd.daemon.metrics import MetricsServer
from modemd.store import Store
from tests.required import tool

__all__ = ["Bench", "Samples", "bench", "fetch", "promtool", "store", "wait_for"]


def promtool() -> str:
    """promtool's path; skips the test without it, unless MODEMD_REQUIRE_INTEROP=1."""
    return tool("promtool", "prometheus")


def fetch(port: int, path: str = "/metrics") -> tuple[int, str, str]:
    """(status, content type, body) of GET http://127.0.0.1:PORT/PATH."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


class Samples:
    """Every sample of one scrape, by name and labels."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.values = {(sample.name, frozenset(sample.labels.items())): sample.value
                       for family in text_string_to_metric_families(text)
                       for sample in family.samples}

    def get(self, name: str, **labels: str) -> float | None:
        return self.values.get((name, frozenset(labels.items())))

    def labelled(self, name: str) -> list[dict[str, str]]:
        """The label sets the metric has samples for."""
        return [dict(labels) for sample, labels in self.values if sample == name]


@pytest.fixture
def scrape(store: Store) -> Iterator[Callable[[], Samples]]:
    """scrape() -> Samples: a MetricsServer on the test's store, on a free port."""
    server = MetricsServer(("127.0.0.1", 0), store)
    server.start()

    def scrape() -> Samples:
        status, _, body = fetch(server.port)
        assert status == 200, body
        return Samples(body)

    yield scrape
    server.stop()
