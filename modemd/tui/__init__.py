"""The terminal desk (`modemd desk`): a Textual screen over the same API operations,
store and events as the CLI."""

from __future__ import annotations

from modemd.api.reach import reach
from modemd.config import Config


def run(config: Config, line: str | None = None) -> None:
    """The desk on config's database until the agent quits."""
    from modemd.tui.app import DeskApp  # noqa: PLC0415  (Textual: only the desk needs it)
    from modemd.tui.session import Session  # noqa: PLC0415

    with reach(config, create=True) as desk:
        DeskApp(Session(desk, line)).run()
