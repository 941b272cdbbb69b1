"""What agents run about lines themselves: resume a paused one."""

from __future__ import annotations

import getpass

import click

from modemd import config as configuration
from modemd.cli import complete
from modemd.cli.common import opened, store_options
from modemd.errors import InvalidInputError
from modemd.wake import poke


@click.command()
@click.argument("line", shell_complete=complete.line_names)
@click.option("--operator", default=None, help="The agent deciding [default: your user name].")
@store_options
def resume(line: str, operator: str | None, config_path: str | None, db: str | None) -> None:
    """Resume LINE after fixing what paused it (an SMS centre number, a barred SIM).

    LINE: id, name, own number, ICCID or IMSI. Pauses for no service or a SIM failure
    end by themselves; this ends any pause. A running daemon acts at once.
    """
    config = configuration.load(config_path, db=db)
    with opened(config) as store:
        line_id = store.lines.resolve(line)
        if line_id is None:
            raise InvalidInputError(f"no line {line!r}: `modemd status` lists the lines")
        cause = store.lines.request_resume(line_id, operator or getpass.getuser())
    poke(config.database)
    click.echo(f"line {line}: resuming (it was paused: {cause})" if cause else
               f"line {line} was not paused; nothing to resume")
