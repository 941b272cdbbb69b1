"""SIM and modem conditions that stop a line until a person acts."""

from __future__ import annotations

from enum import Enum

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


class SendPhase(Enum):
    """How far a part's submission got when it failed: that decides if it may have gone."""

    BEFORE_PDU = "before the PDU: no byte of it left the host"
    AFTER_PDU = "after the PDU was written"


class SendFailed(ModemError):
    """Submitting a part failed; `cause` is the AT or port error, `phase` how far it got.

    Before the PDU (no prompt, an unplug at the prompt, ERROR to AT+CMGS) nothing can
    have gone out; after it (no answer, an unplug mid-wait) the part may have been sent.
    """

    def __init__(self, phase: SendPhase, cause: Exception) -> None:
        super().__init__(f"{cause} ({phase.value})")
        self.phase = phase
        self.cause = cause

    @property
    def pdu_written(self) -> bool:
        return self.phase is SendPhase.AFTER_PDU
