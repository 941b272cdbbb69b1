"""Running one command line through the command table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modemd.emulator.cmdline import CommandLineError, Invocation
from modemd.emulator.commands import basic, radio, sms_send, sms_settings, sms_storage
from modemd.emulator.commands.registry import COMPLETERS, HANDLERS, Handler
from modemd.emulator.replies import CmeError, ModemError, PlainError, Prompt, Reply, Unsupported
from modemd.emulator.sim import SimError

if TYPE_CHECKING:
    from modemd.emulator.modem import EmulatedModem

VENDOR_PREFIXES = "^!$%"
# Imported for their registrations.
_FAMILIES = (basic, radio, sms_send, sms_settings, sms_storage)


def _lookup(modem: EmulatedModem, name: str) -> Handler:
    if name in modem.profile.iccid_commands:
        return basic.iccid
    if name in modem.profile.vendor_ok:
        return HANDLERS.get(name, basic.accept)
    handler = HANDLERS.get(name)
    if handler is None or name[0] in VENDOR_PREFIXES:
        raise Unsupported(name)  # unknown, or another vendor's command
    return handler


def run(modem: EmulatedModem, invocations: list[Invocation]) -> Reply | Prompt | Exception:
    """Run a chained command line; stop at the first error or at a prompt."""
    lines: list[str] = []
    for invocation in invocations:
        try:
            result = _lookup(modem, invocation.name)(modem, invocation)
        except ModemError as error:
            return error
        except SimError as error:
            return CmeError(error.cme)
        except CommandLineError:
            return CmeError(50)
        if isinstance(result, Prompt):
            return result
        reply = result if isinstance(result, Reply) else Reply(result)
        lines += reply.lines
        if not reply.final_ok:
            return Reply(lines, final_ok=False)
    return Reply(lines)


def complete_prompt(modem: EmulatedModem, prompt: Prompt, data: str) -> Reply | Exception:
    """The DTE ended the > input with Ctrl-Z."""
    try:
        return COMPLETERS[prompt.command](modem, prompt, data)
    except ModemError as error:
        return error


def syntax_error() -> Exception:
    return PlainError("syntax")

