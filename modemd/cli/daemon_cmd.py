"""`modemd run` (the daemon in the foreground) and `modemd demo`."""

from __future__ import annotations

import os
import signal
import threading

import click

from modemd import config as configuration
from modemd.cli import logs
from modemd.cli.common import store_options


@click.command()
@click.option("--port", "ports", multiple=True, metavar="PATH",
              help="A modem port (path, udev link or pyserial URL); repeatable; adds to the "
              "configured [[modem]] entries.")
@click.option("--log-level", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
              help="What goes to the journal (stderr; with syslog priorities under "
              "journald, else with UTC timestamps).")
@store_options
def run(ports: tuple[str, ...], log_level: str, config_path: str | None,
        db: str | None) -> None:
    """Run the daemon in the foreground (systemd's ExecStart).

    One worker per modem sends the queue and records everything inbound.
    SIGTERM: the part in flight finishes, ports close, exit 0.
    """
    stop = threading.Event()  # SIGTERM during start-up is a clean stop, not a kill
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    # before anything is created: the database, its -wal/-shm, the wake socket and the
    # lock are the daemon's user's to write; the group (the agents) only reads them, and
    # acts through the API; others get nothing (the unit's UMask= is the same 0027)
    os.umask(0o027)
    from modemd.api.server import ApiServer  # noqa: PLC0415  (keeps other commands light)
    from modemd.daemon import Daemon  # noqa: PLC0415

    logs.setup(log_level)
    config = configuration.load(config_path, db=db, ports=ports)
    # the daemon layer knows no HTTP: the API is handed to it as a service to run
    Daemon(config, stop_requested=stop, services=[ApiServer(config)]).run()
