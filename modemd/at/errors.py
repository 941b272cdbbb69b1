"""Typed AT failures. A CmsError knows what class of trouble its code means."""

from __future__ import annotations

from modemd.at.cms import CmsClass, classify
from modemd.errors import ModemdError


class AtError(ModemdError):
    """A command did not succeed."""

    def __init__(self, message: str, command: str = "", lines: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.command = command
        self.lines = lines  # information lines received before the failure


class CommandError(AtError):
    """Plain ERROR (or a vendor's COMMAND NOT SUPPORT): unknown command or bad syntax."""


class CmeError(AtError):
    """+CME ERROR: <code> — equipment trouble, e.g. 11 SIM PIN required, 16 wrong password."""

    def __init__(self, code: int, command: str = "", text: str = "") -> None:
        super().__init__(f"+CME ERROR: {code}{f' ({text})' if text else ''} on {command}",
                         command)
        self.code = code  # -1 when a verbose text is not a standard one
        self.text = text


class CmsError(AtError):
    """+CMS ERROR: <code> — an SMS command failed; `kind` says what class of trouble it is."""

    def __init__(self, code: int, command: str = "", text: str = "") -> None:
        self.kind: CmsClass = classify(code)
        super().__init__(
            f"+CMS ERROR: {code}{f' ({text})' if text else ''} on {command}: {self.kind.value}",
            command,
        )
        self.code = code  # -1 when a verbose text is not a standard one
        self.text = text


class AtTimeout(AtError, TimeoutError):
    """No final result in time, e.g. a hung modem or a +CMGS the network never answered."""


class PromptTimeout(AtTimeout):
    """The "> " prompt never came; ESC was sent to cancel the input."""


class ChannelClosed(AtError):
    """The channel was closed by its owner."""
