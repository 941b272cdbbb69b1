"""`modemd desk`: the terminal desk (modemd/tui), imported only when it runs."""

from __future__ import annotations

import click

from modemd import config as configuration
from modemd.cli.common import store_options


@click.command()
@click.option("--line", "line", default=None, metavar="LINE",
              help="Only this line's conversations, and send from it (id, name, own "
              "number, ICCID or IMSI).")
@store_options
def desk(line: str | None, config_path: str | None, db: str | None) -> None:
    """A terminal inbox: conversations, the open thread and a compose box, live.

    It opens at the oldest unread conversation and follows events as `modemd
    watch` does. Keys: / searches, c claims, r releases, Enter sends, Ctrl-S
    schedules, ? lists every key, q quits; the mouse works too. Refusals show in
    the CLI's words and queue nothing. Honours NO_COLOR.
    """
    from modemd import tui  # noqa: PLC0415  (Textual costs `modemd send` nothing)

    tui.run(configuration.load(config_path, db=db), line)
