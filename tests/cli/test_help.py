"""Every command explains itself: a command without help text fails this test."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from modemd.cli import main


def walk(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...],
                                                                         click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found += walk(sub, (*path, name))
    return found


COMMANDS = walk(main)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "modemd"
                                                              for p, _ in COMMANDS])
def test_command_has_help_and_every_option_is_explained(path, command):
    assert (command.help or "").strip(), f"modemd {' '.join(path)} has no help text"
    for parameter in command.params:
        if isinstance(parameter, click.Option) and parameter.name != "help":
            assert parameter.help, f"--{parameter.name} of modemd {' '.join(path)} has no help"
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_usage_error_exits_2():
    result = CliRunner().invoke(main, ["emulator", "fault", "line1", "no-such-fault"])
    assert result.exit_code == 2


def test_emulator_client_without_emulator_says_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["emulator", "--dir", str(tmp_path), "lines"])
    assert result.exit_code == 1
    assert "no emulator is listening" in result.output
    assert "modemd emulator" in result.output
