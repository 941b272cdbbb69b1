"""Prometheus metrics over HTTP: GET /metrics, 404 anywhere else.

What the database keeps is read from it at each scrape (DatabaseCollector: a handful
of aggregate queries), so those figures survive restarts; the in-process instruments
of modemd.services.metrics add what it does not keep. docs/metrics.md lists them all.
"""

from __future__ import annotations

import errno
import logging
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector

from modemd.errors import InvalidInputError
from modemd.services import metrics as instruments
from modemd.store import InboundStatus, LineState, OutboundStatus, Store, StoreError
from modemd.store.states import DeliveryStatus

log = logging.getLogger(__name__)

REPORT_WINDOW = timedelta(hours=1)  # the match ratio's window: recent enough to alert on
STOP_POLL = 0.1  # how soon stop() is seen: a select() ten times a second costs nothing
UNKNOWN_RSSI = 99  # +CSQ: not known or not detectable
_STATUSES = {"out": list(OutboundStatus), "in": list(InboundStatus)}


class DatabaseCollector:
    """The figures the database has, read afresh at every scrape."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        try:  # read everything first: a failure serves none of it, not half
            families = [*self._messages(), *self._queue(), *self._reports(),
                        *self._lines(), *self._runs(), *self._disk(), *self._deliveries()]
        except (StoreError, sqlite3.Error) as error:  # closed at shutdown, or failing
            log.warning("metrics: cannot read the database: %s", error)
            families = []
        yield _gauge("modemd_database_up", "1 when this scrape could read the database, "
                     "else 0 (the log says why); the database figures are absent then.",
                     1 if families else 0)
        yield from families

    def _messages(self) -> Iterable[Metric]:
        counts = {(row["direction"], row["status"]): row["count"]
                  for row in self.store.stats.messages()}
        family = GaugeMetricFamily(
            "modemd_messages", "Messages in the database by direction (out, in) and status.",
            labels=["direction", "status"])
        for direction, statuses in _STATUSES.items():
            for status in statuses:
                family.add_metric([direction, status], counts.get((direction, status), 0))
        return [family]

    def _queue(self) -> Iterable[Metric]:
        queue = self.store.stats.queue()
        return [
            _gauge("modemd_queue_messages", "Outbound messages still to go (queued or "
                   "sending), waiting for a retry or a paused line included.", queue["depth"]),
            _gauge("modemd_queue_oldest_age_seconds", "How long the oldest message still to "
                   "go has waited since it was queued; 0 when the queue is empty.",
                   queue["oldest_seconds"] or 0.0)]

    def _reports(self) -> Iterable[Metric]:
        total, recent = self.store.stats.reports(), self.store.stats.reports(REPORT_WINDOW)
        families = [
            _gauge("modemd_delivery_reports_matched", "Delivery reports in the database "
                   "matched to a part modemd sent.", total["matched"]),
            _gauge("modemd_delivery_reports_orphaned", "Delivery reports in the database that "
                   "matched no part (an unknown or wrapped TP-MR, another sender's report).",
                   total["orphaned"])]
        if recent["ratio"] is not None:  # no reports in the window: no ratio to judge
            families.append(_gauge(
                "modemd_delivery_report_match_ratio", "Of the delivery reports received in "
                "the last hour, the fraction matched to a part (absent without reports).",
                recent["ratio"]))
        return families

    def _lines(self) -> Iterable[Metric]:
        rows = self.store.lines.all()
        instruments.known_lines(instruments.line_label(row) for row in rows)
        up, state, signal, registration = (
            GaugeMetricFamily(name, text, labels=labels) for name, text, labels in _LINE_FAMILIES)
        for row in rows:
            line = instruments.line_label(row)
            up.add_metric([line], 1 if row["state"] == LineState.OK else 0)
            for value in LineState:
                state.add_metric([line, value], 1 if row["state"] == value else 0)
            if row["signal"] is not None and row["signal"] != UNKNOWN_RSSI:
                signal.add_metric([line], -113 + 2 * row["signal"])
            if row["registration"] is not None:
                registration.add_metric([line], row["registration"])
        return [up, state, signal, registration]

    def _runs(self) -> Iterable[Metric]:
        totals, latest = self.store.runs.totals(), self.store.runs.latest()
        families = [
            _counter("modemd_daemon_starts", "Times `modemd run` started on this database.",
                     totals["starts"]),
            _counter("modemd_daemon_unclean_stops", "Runs that ended without stopping "
                     "cleanly (a crash, kill -9, power loss), found at later starts.",
                     totals["unclean"]),
            _counter("modemd_interrupted_sends", "Sends found interrupted after their PDU "
                     "was written, at start-ups: each became `unknown`.",
                     totals["interrupted"])]
        if latest is not None:
            started = datetime.fromisoformat(latest["started_at"]).timestamp()
            families.append(_gauge("modemd_daemon_start_time_seconds", "When the current "
                                   "(newest) run started, in seconds since the epoch.",
                                   started))
        return families

    def _disk(self) -> Iterable[Metric]:
        free = self.store.database.free_bytes()
        if free is None:  # an in-memory database
            return []
        return [
            _gauge("modemd_database_free_bytes", "Free bytes on the filesystem that holds "
                   "the database.", free),
            _gauge("modemd_database_full", "1 while the database's disk is below the reserve "
                   "modemd needs to write (nothing is claimed or taken off the SIMs).",
                   0 if self.store.database.has_room() else 1)]


    def _deliveries(self) -> Iterable[Metric]:
        counts = self.store.deliveries.counts()
        family = GaugeMetricFamily(
            "modemd_deliveries", "Deliveries of events to webhooks and hooks in the database, "
            "by target kind (webhook, hook) and status (pending, delivered, failed).",
            labels=["target_kind", "status"])
        for kind in ("webhook", "hook"):
            for status in DeliveryStatus:
                family.add_metric([kind, status], counts.get((kind, status), 0))
        return [family]


_LINE_FAMILIES = (
    ("modemd_line_up", "1 when the line's state is ok (it can send), else 0.", ["line"]),
    ("modemd_line_state", "1 for the line's current state, 0 for every other state.",
     ["line", "state"]),
    ("modemd_line_signal_dbm", "Signal strength in dBm from the last +CSQ: -113 + 2 * rssi "
     "(-113 means -113 or less, -51 means -51 or more); absent when unknown (rssi 99).",
     ["line"]),
    ("modemd_line_registration_status", "The last +CREG <stat>: 0 not registered, 1 home, "
     "2 searching, 3 denied, 4 unknown, 5 roaming.", ["line"]),
)


def _gauge(name: str, text: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, text, value=value)


def _counter(name: str, text: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, text, value=value)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a stuck scraper never holds up the daemon's exit


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("metrics: %s", format % args)


def _only_metrics(app: Callable) -> Callable:
    def serve(environ: dict, start_response: Callable) -> list[bytes]:
        if environ.get("PATH_INFO") == "/metrics":
            return app(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found: modemd serves its metrics at /metrics\n"]

    return serve


class MetricsServer:
    """The Prometheus endpoint of one daemon, on its own thread."""

    def __init__(self, address: tuple[str, int], store: Store) -> None:
        """address: (host, port); port 0 takes any free port (see .port)."""
        self.address = address
        self.registry = CollectorRegistry()
        self.registry.register(DatabaseCollector(store))  # first: it names every line
        self.registry.register(instruments.REGISTRY)
        ProcessCollector(registry=self.registry)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port once started (the one asked for before)."""
        return self._server.server_address[1] if self._server else self.address[1]

    def start(self) -> None:
        """Bind and serve; a port in use (or any bind failure) is InvalidInputError."""
        self._server = _bind(self.address, _only_metrics(make_wsgi_app(self.registry)))
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": STOP_POLL},
                                        name="metrics", daemon=True)
        self._thread.start()
        log.info("metrics: serving http://%s:%d/metrics", self.address[0], self.port)

    def stop(self) -> None:
        """Stop serving and free the port; a scrape in progress may finish."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None


def _bind(address: tuple[str, int], app: Callable) -> _Server:
    host, port = address
    try:
        family, _, _, _, sockaddr = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        server_class = type("_Server", (_Server,), {"address_family": family})
        return make_server(sockaddr[0], port, app, server_class, handler_class=_QuietHandler)
    except OSError as error:
        raise InvalidInputError(_bind_failure(host, port, error)) from error


def _bind_failure(host: str, port: int, error: OSError) -> str:
    where = f"cannot serve metrics on {host}:{port} ({error.strerror or error})"
    if error.errno == errno.EADDRINUSE:
        return (f"{where}: another program listens there (`ss -ltnp 'sport = :{port}'` "
                "shows which); stop it, or set metrics = \"HOST:PORT\" in the configuration "
                "to a free port")
    return (f"{where}: set metrics = \"HOST:PORT\" in the configuration to an address of "
            "this machine and a port modemd may bind (1024 or above unless it runs as root)")
