"""The SIM of one emulated line: identity, PIN/PUK with tries, its storages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from modemd.emulator.storage import Storage

PIN_TRIES = 3
PUK_TRIES = 10


class SimState(Enum):
    READY = "READY"
    PIN = "SIM PIN"
    PUK = "SIM PUK"
    BLOCKED = "BLOCKED"  # PUK tries exhausted: the SIM is dead
    ABSENT = "ABSENT"


class SimError(Exception):
    """A refused SIM operation, carrying the +CME ERROR code a modem reports."""

    def __init__(self, cme: int) -> None:
        super().__init__(cme)
        self.cme = cme


# +CME ERROR codes of 27.007 9.2 used by the SIM model.
CME_NOT_ALLOWED = 3
CME_SIM_NOT_INSERTED = 10
CME_SIM_PIN_REQUIRED = 11
CME_SIM_PUK_REQUIRED = 12
CME_SIM_FAILURE = 13
CME_INCORRECT_PASSWORD = 16


@dataclass
class Sim:
    iccid: str
    imsi: str
    number: str | None  # what +CNUM reports; None when the SIM does not know its number
    pin: str = "0000"
    pin_enabled: bool = False  # the SC lock: ask for the PIN at power on
    puk: str = "12345678"
    pin_tries: int = PIN_TRIES
    puk_tries: int = PUK_TRIES
    state: SimState = SimState.READY
    storages: dict[str, Storage] = field(default_factory=dict)

    def power_on(self) -> None:
        """Card reset: a locked SIM asks for its PIN again (tries survive)."""
        if self.state in (SimState.ABSENT, SimState.BLOCKED):
            return
        if self.puk_tries == 0:
            self.state = SimState.BLOCKED
        elif self.pin_tries == 0:
            self.state = SimState.PUK
        elif self.pin_enabled:
            self.state = SimState.PIN
        else:
            self.state = SimState.READY

    def require_ready(self) -> None:
        """Raise the CME a modem gives when the SIM is not usable."""
        blocked = {
            SimState.ABSENT: CME_SIM_NOT_INSERTED,
            SimState.PIN: CME_SIM_PIN_REQUIRED,
            SimState.PUK: CME_SIM_PUK_REQUIRED,
            SimState.BLOCKED: CME_SIM_FAILURE,
        }
        if self.state in blocked:
            raise SimError(blocked[self.state])

    def enter(self, code: str, new_pin: str | None = None) -> None:
        """AT+CPIN=<code>[,<newpin>]: PIN in SIM PIN state, PUK in SIM PUK state."""
        if self.state == SimState.PIN:
            self._enter_pin(code)
        elif self.state == SimState.PUK:
            self._enter_puk(code, new_pin)
        elif self.state == SimState.READY:
            raise SimError(CME_NOT_ALLOWED)
        else:
            self.require_ready()

    def _enter_pin(self, code: str) -> None:
        if code == self.pin:
            self.pin_tries = PIN_TRIES
            self.state = SimState.READY
            return
        self.pin_tries -= 1
        if self.pin_tries == 0:
            self.state = SimState.PUK
        raise SimError(CME_INCORRECT_PASSWORD)

    def _enter_puk(self, code: str, new_pin: str | None) -> None:
        if new_pin is None:
            raise SimError(CME_SIM_PUK_REQUIRED)
        if code == self.puk:
            self.pin = new_pin
            self.pin_tries = PIN_TRIES
            self.puk_tries = PUK_TRIES
            self.state = SimState.READY
            return
        self.puk_tries -= 1
        if self.puk_tries == 0:
            self.state = SimState.BLOCKED
        raise SimError(CME_INCORRECT_PASSWORD)

    def set_lock(self, enable: bool, code: str) -> None:
        """AT+CLCK="SC",<mode>,<pin>: enabling or disabling the PIN needs the PIN."""
        self.require_ready()
        if code != self.pin:
            self.pin_tries -= 1
            if self.pin_tries == 0:
                self.state = SimState.PUK
            raise SimError(CME_INCORRECT_PASSWORD)
        self.pin_tries = PIN_TRIES
        self.pin_enabled = enable
