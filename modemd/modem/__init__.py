"""GSM verbs over the AT channel: init, identity, PIN, storage, send, read, delete.

Knows no SQLite.
"""

from modemd.modem.device import Identity, Modem, StorageSession, StoredMessage
from modemd.modem.errors import (
    ModemError,
    PinRejected,
    PinRequired,
    PukRequired,
    SendFailed,
    SendPhase,
    SimError,
    SimMissing,
    UnexpectedAnswer,
)
from modemd.modem.events import Direct, Event, Other, RegistrationChanged, Stored, interpret

__all__ = [
    "Direct",
    "Event",
    "Identity",
    "Modem",
    "ModemError",
    "Other",
    "PinRejected",
    "PinRequired",
    "PukRequired",
    "RegistrationChanged",
    "SendFailed",
    "SendPhase",
    "SimError",
    "SimMissing",
    "StorageSession",
    "Stored",
    "StoredMessage",
    "UnexpectedAnswer",
    "interpret",
]
