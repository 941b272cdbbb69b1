"""The command table the handler modules register into."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from modemd.emulator.cmdline import Invocation
from modemd.emulator.replies import Prompt, Reply

if TYPE_CHECKING:
    from modemd.emulator.modem import EmulatedModem

Outcome = Reply | Prompt | list[str]
Handler = Callable[["EmulatedModem", Invocation], Outcome]
Completer = Callable[["EmulatedModem", Prompt, str], Reply]

HANDLERS: dict[str, Handler] = {}
COMPLETERS: dict[str, Completer] = {}


def command(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler for one or more command names ("+CGMI", "+GMI")."""

    def register(handler: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = handler
        return handler

    return register


def completes(name: str) -> Callable[[Completer], Completer]:
    """Register what runs when the > input of `name` ends with Ctrl-Z."""

    def register(completer: Completer) -> Completer:
        COMPLETERS[name] = completer
        return completer

    return register
