"""Commands imported only when used, so `modemd send` never loads the emulator or daemon.

A LazyGroup holds a table name -> ("module:attr", short help). Its `commands` mapping
imports a command's module when click first looks that command up (to run it, or to
show its own help); `modemd --help` and the completion of command names read the short
help from the table instead. tests/cli/test_lazy.py keeps that equal to the commands'.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import click
from click.shell_completion import CompletionItem

from modemd.cli.errors import ModemdGroup


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands by name: those in the table are imported on first access.
    Names and `in` never import; items() imports them all (a test walking the tree)."""

    def __init__(self, table: Mapping[str, tuple[str, str]]) -> None:
        self.table = dict(table)
        self.loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded:
            if name not in self.table:
                raise KeyError(name)
            self.loaded[name] = load(self.table[name][0])
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self.loaded.pop(name, None)
        self.table.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self.table or name in self.loaded

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self.table, *self.loaded}))

    def __len__(self) -> int:
        return len({*self.table, *self.loaded})


class LazyGroup(ModemdGroup):
    """A ModemdGroup whose commands in lazy_commands are imported on first use."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = LazyCommands(lazy_commands or {})
        self.commands = self.lazy  # what click's own code reads and writes

    def summary(self, name: str, limit: int = 45) -> str:
        """What the command's get_short_help_str(limit) says, without importing it."""
        if name in self.lazy.loaded:
            return self.lazy.loaded[name].get_short_help_str(limit)
        # a stand-in command shortens the text exactly as the real one will
        return click.Command(name, help=self.lazy.table[name][1]).get_short_help_str(limit)

    def _visible(self) -> list[str]:
        loaded = self.lazy.loaded
        return [name for name in self.commands if name not in loaded or not loaded[name].hidden]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self._visible()
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)  # as click does
        with formatter.section("Commands"):
            formatter.write_dl([(name, self.summary(name, limit)) for name in names])

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        commands = [CompletionItem(name, help=self.summary(name))
                    for name in self._visible() if name.startswith(incomplete)]
        # the options, as click.Command completes them (Group's would import every command)
        return commands + click.Command.shell_complete(self, ctx, incomplete)


def load(target: str) -> click.Command:
    """'package.module:attr' -> that command, imported now."""
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    command = getattr(module, attr)
    if not isinstance(command, click.Command):
        raise TypeError(f"{target} is not a click command")
    return command
