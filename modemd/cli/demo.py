"""`modemd demo`: two emulated lines, the real daemon, one message from one to the other."""

from __future__ import annotations

import getpass
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from modemd.cli.output import table
from modemd.config import Config, ModemConfig
from modemd.emulator import launch
from modemd.emulator.rig import NetworkOptions
from modemd.errors import ModemdError
from modemd.store import OutboundStatus, Store, prepare

if TYPE_CHECKING:
    from modemd.daemon import Daemon

TEXT = "Hello from the modemd demo! Your ticket #4711 is solved 👍"


def _wait(what: str, check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise ModemdError(f"demo: {what} did not happen within {timeout:.0f} s; "
                              "run with --keep and look at `modemd status`")
        time.sleep(0.1)


@click.command()
@click.option("--db", default="modemd-demo.db", show_default=True,
              help="Database for the demo, in the current folder.")
@click.option("--keep", is_flag=True,
              help="Keep the emulator and daemon running afterwards (Ctrl-C stops).")
def demo(db: str, keep: bool) -> None:
    """Start two emulated lines and the daemon; send one message between them.

    Shows it sent, delivered (status report) and received, all through the real
    daemon, AT driver and ptys. Needs no hardware.
    """
    from modemd.daemon import Daemon  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="modemd-demo-") as folder:
        links = Path(folder)
        running = launch.start(links, launch.specs_for(2, (), None),
                               NetworkOptions(delivery_delay=0.3, report_delay=0.5))
        modems = tuple(ModemConfig(port=str(links / f"line{i}"), name=f"desk-{i}")
                       for i in (1, 2))
        daemon = Daemon(Config(database=Path(db), modems=modems))
        worker = threading.Thread(target=daemon.run, name="daemon")
        worker.start()
        try:
            _show(Store(db), running.rig.lines(), keep, daemon)
        finally:
            daemon.stop_requested.set()
            worker.join(timeout=60)
            running.close()


def _show(store: Store, lines: list[dict], keep: bool, daemon: Daemon) -> None:
    try:
        names = ", ".join(f"{line['name']} {line['number']}" for line in lines)
        click.echo(f"emulated lines: {names}")
        _wait("both lines coming up", lambda: len(store.lines.healthy()) == 2)
        sender = store.lines.resolve("desk-1")
        message = prepare(lines[1]["number"], TEXT, operator=getpass.getuser(),
                          requested_line=sender)
        message_id = store.outbox.enqueue(message)
        daemon.wake_all()
        click.echo(f"queued message {message_id} from desk-1 to {lines[1]['number']}")
        _wait("delivery", lambda: store.views.message(message_id)["status"]
              == OutboundStatus.DELIVERED)
        _wait("reception", lambda: bool(store.views.messages("in", limit=1)))
        click.echo("\noutbox:")
        table(store.views.messages("out", limit=1), ("id", "peer", "line", "status", "text"))
        click.echo("\ninbox:")
        table(store.views.messages("in", limit=1), ("id", "peer", "line", "status", "text"))
        click.echo("\nlines:")
        table(store.views.lines(), ("id", "name", "own_number", "state", "signal", "operator"))
        if keep:
            click.echo("\nRunning; try `modemd --help` with --db. Ctrl-C stops.")
            threading.Event().wait()
    finally:
        store.close()
