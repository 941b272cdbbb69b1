"""What agents run about lines themselves: resume a paused one."""

from __future__ import annotations

import click

from modemd import config as configuration
from modemd.api.reach import reach
from modemd.cli import complete
from modemd.cli.common import store_options


@click.command()
@click.argument("line", shell_complete=complete.line_names)
@click.option("--operator", default=None, help="The agent deciding [default: your user name].")
@store_options
def resume(line: str, operator: str | None, config_path: str | None, db: str | None) -> None:
    """Resume LINE after fixing what paused it (an SMS centre number, a barred SIM).

    LINE: id, name, own number, ICCID or IMSI. Pauses for no service or a SIM failure
    end by themselves; this ends any pause. A running daemon acts at once.
    """
    with reach(configuration.load(config_path, db=db)) as desk:
        resumed = desk.call("resume_line", params={"line": line}, body={"operator": operator})
    cause = resumed["was_paused"]
    click.echo(f"line {line}: resuming (it was paused: {cause})" if cause else
               f"line {line} was not paused; nothing to resume")
