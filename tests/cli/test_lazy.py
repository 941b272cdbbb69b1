"""Commands are imported when used: `modemd send` loads no emulator, daemon, scheduler,
metrics or udev code, and `modemd --help` still lists every command with its help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from modemd.cli import COMMANDS, main
from modemd.cli.lazy import LazyGroup, load

# what `send` and the read commands must not import (each costs start-up time)
HEAVY = ("modemd.emulator", "modemd.daemon", "modemd.cli.demo", "apscheduler",
         "prometheus_client", "pyudev")

# runs the real entry point, then reports which modules got imported
PROBE = """
import json, sys
from modemd.cli import main
try:
    main(sys.argv[1:], prog_name="modemd")
except SystemExit as stop:
    code = stop.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def run_cli(*args: str, cwd: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODEMD_")}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, cwd=cwd, check=False, env=env)
    assert done.stderr == "", done.stderr
    *output, report = done.stdout.splitlines()
    return json.loads(report) | {"output": "\n".join(output)}


def heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_table_says_what_each_command_says(name):
    target, short_help = COMMANDS[name]
    command = load(target)
    assert command.name == name
    assert short_help == command.get_short_help_str(limit=10**6), (
        f"modemd/cli/__init__.py: the short help of {name!r} in COMMANDS differs from the "
        "command's own; copy the command's first sentence there")


def test_help_lists_commands_exactly_as_an_eager_group_would():
    lazy = LazyGroup("modemd", help=main.help, lazy_commands=COMMANDS)
    eager = click.Group("modemd", help=main.help,
                        commands={name: load(target) for name, (target, _) in COMMANDS.items()})
    assert not lazy.lazy.loaded
    shown = CliRunner().invoke(lazy, ["--help"])
    assert shown.exit_code == 0
    assert shown.output == CliRunner().invoke(eager, ["--help"]).output
    assert not lazy.lazy.loaded  # it read the table, it imported nothing


def test_modemd_help_lists_every_command_without_importing_them(tmp_path):
    result = run_cli("--help", cwd=tmp_path)
    assert result["code"] == 0
    listed = result["output"].split("Commands:")[1].splitlines()
    assert sorted(line.split()[0] for line in listed if line.strip()) == sorted(COMMANDS)
    assert not [m for m in result["modules"] if m.startswith("modemd.cli.")
                and m not in ("modemd.cli.errors", "modemd.cli.lazy")]


@pytest.mark.parametrize("name", ["send", "inbox", "show", "status", "resume", "emulator"])
def test_a_command_help_works_in_a_fresh_process(tmp_path, name):
    result = run_cli(name, "--help", cwd=tmp_path)
    assert result["code"] == 0
    assert f"Usage: modemd {name} " in result["output"]


def test_a_real_send_imports_nothing_heavy(tmp_path):
    db = tmp_path / "modemd.db"
    result = run_cli("send", "--db", str(db), "--operator", "alice", "+12015550123", "hello",
                     cwd=tmp_path)
    assert result["code"] in (0, None)
    assert result["output"].splitlines()[0] == "1"  # the message id: it was queued
    assert heavy(result["modules"]) == []
    assert "sqlite_utils" in result["modules"]  # it made the database: migrations ran
    again = run_cli("send", "--db", str(db), "--operator", "bob", "+12015550124", "hi",
                    cwd=tmp_path)
    assert again["output"].splitlines()[0] == "2"
    assert heavy(again["modules"]) == []
    assert "sqlite_utils" not in again["modules"]  # nothing to migrate
    # an operation's handler module, not the API's others, nor the route table's metadata
    assert "modemd.api.messages" in again["modules"]
    assert not {"modemd.api.events", "modemd.api.upkeep", "modemd.api.people",
                "importlib.metadata", "modemd.store.deliveries",
                "modemd.store.reports"} & set(again["modules"])
    listed = run_cli("inbox", "--db", str(db), cwd=tmp_path)
    assert listed["code"] in (0, None)
    assert heavy(listed["modules"]) == []
    assert "phonenumbers" not in listed["modules"]  # only what checks a number needs it
    assert "sqlite_utils" not in listed["modules"]  # only migrations need it
    codec = [m for m in listed["modules"] if m.startswith("modemd.sms.")]
    assert codec == ["modemd.sms.numbers"]  # a listing encodes and decodes nothing


def test_commands_added_directly_sit_beside_the_lazy_ones():
    group = LazyGroup("modemd", lazy_commands={"show": COMMANDS["show"]})

    @group.command()
    def hello() -> None:
        """Say hello."""
        click.echo("hello")

    assert list(group.commands) == ["hello", "show"]
    assert "show" in group.commands and "show" not in group.lazy.loaded
    result = CliRunner().invoke(group, ["--help"])
    assert "hello  Say hello." in result.output
    assert "One message with its parts" in result.output
    assert CliRunner().invoke(group, ["hello"]).output == "hello\n"
    assert CliRunner().invoke(group, ["nope"]).exit_code == 2  # usage error, as before
