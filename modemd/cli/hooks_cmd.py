"""`modemd hooks`: the deliveries to webhooks and hooks still to go or given up on, and
`modemd hooks retry ID` to make one go again now."""

from __future__ import annotations

import json

import click

from modemd import config as configuration
from modemd.api.reach import reach
from modemd.cli.common import json_option, operator_option, store_options
from modemd.cli.output import emit_json, table

COLUMNS = ("id", "target", "event", "event_id", "peer", "status", "attempts",
           "next_attempt_at", "last_error")


def shown_target(target: str) -> str:
    """A webhook's url as it is; a hook's command (stored as a JSON list) as words."""
    if target.startswith("["):
        import shlex  # noqa: PLC0415  (only hooks need it)

        return shlex.join(json.loads(target))
    return target


@click.group(invoke_without_command=True)
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="How many.")
@json_option
@store_options
@click.pass_context
def hooks(ctx: click.Context, limit: int, as_json: bool, config_path: str | None,
          db: str | None) -> None:
    """Deliveries of events to webhooks and hooks that are pending or failed.

    Each row: its id, the target (a webhook's url, a hook's command), the event's
    kind and event_id, the peer, the status, attempts so far, when the next one is
    due and the last error. A delivery stays pending through its retries (5 s
    doubling to 10 min) until webhook_retry_hours after its event, then it is
    failed; `modemd hooks retry ID` makes it go again. Delivered ones are not
    listed.
    """
    if ctx.invoked_subcommand is not None:
        return
    with reach(configuration.load(config_path, db=db)) as desk:
        rows = desk.call("list_deliveries", query={"limit": str(limit)})
    if as_json:
        emit_json(rows)
    else:
        table([{**row, "target": shown_target(row["target"])} for row in rows], COLUMNS)


@hooks.command()
@click.argument("delivery_id", metavar="ID", type=int)
@operator_option
@store_options
def retry(delivery_id: int, operator: str | None, config_path: str | None,
          db: str | None) -> None:
    """Make delivery ID (failed or pending) due again now; audited.

    A failed delivery's retry window, counted from its event, is over: it gets one
    more attempt and is failed again if that fails too. The running daemon tries it
    at once; a stopped one when it starts.
    """
    with reach(configuration.load(config_path, db=db)) as desk:
        row = desk.call("retry_delivery", params={"id": delivery_id},
                        body={"operator": operator})
    click.echo(f"delivery {delivery_id} (event {row['event_id']} to "
               f"{shown_target(row['target'])}): was {row['was']}, due again now")
