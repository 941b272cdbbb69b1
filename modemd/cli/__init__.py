"""The `modemd` command line: a thin click shell over the library."""

from __future__ import annotations

import click

from modemd.cli.agent import inbox, outbox, quarantine, resend, send, show, status, thread
from modemd.cli.daemon_cmd import run
from modemd.cli.demo import demo
from modemd.cli.emulator_cmd import emulator
from modemd.cli.errors import ModemdGroup
from modemd.cli.lines_cmd import resume
from modemd.cli.ops_cmd import backup, check, health, prune


@click.group(cls=ModemdGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="modemd")
def main() -> None:
    """modemd: person-to-person SMS from USB GSM modems.

    Agents send from real SIM long-code numbers and see replies and delivery
    reports. `modemd demo` shows it working on emulated modems; `modemd
    emulator` runs fake modems on ptys for tests.
    """


for _command in (run, send, resend, outbox, inbox, thread, show, status, quarantine, resume,
                 demo, emulator, health, check, backup, prune):
    main.add_command(_command)
