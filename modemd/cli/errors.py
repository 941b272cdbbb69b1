"""Exit codes of the contract: 0 ok, 2 usage, 1 anything else with one line on stderr."""

from __future__ import annotations

from typing import Any

import click

from modemd.errors import ModemdError


class ModemdGroup(click.Group):
    """A group whose commands turn ModemdError into one stderr line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ModemdError as error:
            raise click.ClickException(str(error)) from error
