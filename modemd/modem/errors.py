"""SIM and modem conditions that stop a line until a person acts."""

from __future__ import annotations

from modemd.errors import ModemdError


class ModemError(ModemdError):
    """A modem-level failure; subclasses say which and what to do."""


class SimError(ModemError):
    """The SIM cannot be used; the line stops, other lines keep working."""


class SimMissing(SimError):
    """No SIM (or it failed): insert or reseat the SIM, then restart the line."""


class PinRequired(SimError):
    """The SIM wants a PIN and none is configured: set `pin` for this modem."""


class PinRejected(SimError):
    """The configured PIN was wrong. It is not tried again (a second wrong try wastes one of
    three; the third locks the SIM with its PUK): fix the PIN in the configuration."""


class PukRequired(SimError):
    """The SIM is PUK-locked. modemd never enters a PUK: unlock it in a phone."""


class UnexpectedAnswer(ModemError):
    """The modem answered something this driver cannot read."""
