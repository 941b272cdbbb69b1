"""The `modemd` command line: a thin click shell over the library."""

from __future__ import annotations

import click

from modemd.cli.lazy import LazyGroup

# name -> (where the command is, its short help). A command's module is imported only
# when it runs, so `modemd send` loads neither the emulator nor the daemon; `modemd
# --help` shows the short help from here (tests/cli/test_lazy.py keeps it equal to the
# command's own: a new command needs its line here).
COMMANDS = {
    "audit": ("modemd.cli.desk_cmd:audit",
             "Who did what and when, newest first: sends, resends, resumes, opt-outs (by text "
             "too: the operator is then the number that texted), contact changes."),
    "backup": ("modemd.cli.ops_cmd:backup",
             "Copy the database to PATH, consistent even while the daemon writes."),
    "cancel": ("modemd.cli.agent:cancel",
             "Cancel a scheduled or queued message before any part of it went out."),
    "check": ("modemd.cli.ops_cmd:check",
             "Check a configuration without starting anything: it parses, its ports open, its "
             "discover globs match, the database location is writable, ModemManager keeps off "
             "our ports."),
    "claim": ("modemd.cli.conversations_cmd:claim",
             "Take the conversation with PEER: other agents need --force to text it."),
    "contact": ("modemd.cli.desk_cmd:contact",
             "Names for numbers: shown in every listing, and `modemd send NAME` works."),
    "conversations": ("modemd.cli.conversations_cmd:conversations",
             "One row per contact, the most recent first: last message, unread count, the "
             "agent who claimed it, opted out or not."),
    "demo": ("modemd.cli.demo:demo",
             "Start two emulated lines and the daemon; send one message between them."),
    "desk": ("modemd.cli.tui_cmd:desk",
             "A terminal inbox: conversations, the open thread and a compose box, live."),
    "emulator": ("modemd.cli.emulator_cmd:emulator",
             "Run emulated GSM modems on ptys, or drive running ones."),
    "health": ("modemd.cli.ops_cmd:health",
             "A monitoring plugin: one line, and exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."),
    "hooks": ("modemd.cli.hooks_cmd:hooks",
             "Deliveries of events to webhooks and hooks that are pending or failed."),
    "inbox": ("modemd.cli.agent:inbox",
             "Inbound messages, newest first (incomplete: parts missing)."),
    "optout": ("modemd.cli.desk_cmd:optout",
             "Record or lift an opt-out given by other means than a text (a call, an email)."),
    "optouts": ("modemd.cli.desk_cmd:optouts",
             "The numbers that opted out: since when, and by which message or agent."),
    "outbox": ("modemd.cli.agent:outbox", "Outbound messages, newest first."),
    "prune": ("modemd.cli.ops_cmd:prune",
             "Delete messages older than --days that are final (never queued or sending), with "
             "their parts and reports, and old quarantine rows; the audit trail stays."),
    "quarantine": ("modemd.cli.agent:quarantine",
             "Inbound PDUs nobody could decode, kept raw with the reason."),
    "release": ("modemd.cli.conversations_cmd:release",
             "Give up the claim on the conversation with PEER."),
    "reply": ("modemd.cli.agent:reply",
             "Answer inbound message MESSAGE_ID with TEXT (- reads stdin): to its sender, from "
             "the line it came in on."),
    "resend": ("modemd.cli.agent:resend",
             "Send a failed, expired or `unknown` message again (an agent's decision)."),
    "resume": ("modemd.cli.lines_cmd:resume",
             "Resume LINE after fixing what paused it (an SMS centre number, a barred SIM)."),
    "run": ("modemd.cli.daemon_cmd:run", "Run the daemon in the foreground (systemd's ExecStart)."),
    "send": ("modemd.cli.agent:send",
             "Queue TEXT to TO (E.164, national with default_region set, or a contact's name); "
             "TEXT - reads stdin."),
    "show": ("modemd.cli.agent:show", "One message with its parts and delivery reports."),
    "status": ("modemd.cli.agent:status",
             "Each line: port, identity, signal, registration, operator, state, queue depth, "
             "last contact; the daemon: running (pid, since, heartbeat), stopped, or gone "
             "without stopping; and the database: its path, free bytes on its disk, whether "
             "that is full."),
    "thread": ("modemd.cli.agent:thread",
             "The conversation with PEER, both directions, oldest first (the newest "
             "--limit of it); its inbound messages are read from now on."),
    "token": ("modemd.cli.token_cmd:token",
             "Bearer tokens for the API over TCP: create one per agent, list, revoke."),
    "watch": ("modemd.cli.watch_cmd:watch",
             "Follow events until Ctrl-C: inbound messages, status changes, line states, "
             "opt-outs."),
}


@click.group(cls=LazyGroup, lazy_commands=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="modemd")
def main() -> None:
    """modemd: person-to-person SMS from USB GSM modems.

    Agents send from real SIM long-code numbers and see replies and delivery
    reports. `modemd demo` shows it working on emulated modems; `modemd
    emulator` runs fake modems on ptys for tests.
    """

