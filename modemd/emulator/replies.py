"""What a command handler hands back, and the errors a modem reports."""

from __future__ import annotations

from dataclasses import dataclass, field


class ModemError(Exception):
    """A final error result for the command line."""


class Unsupported(ModemError):
    """Not a command this modem knows: the profile's ERROR / COMMAND NOT SUPPORT."""


class PlainError(ModemError):
    """Plain ERROR, whatever +CMEE says (syntax errors)."""


class CmeError(ModemError):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class CmsError(ModemError):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Reply:
    """Information lines, and whether a final OK follows (some modems omit it)."""

    lines: list[str] = field(default_factory=list)
    final_ok: bool = True
    delay: float = 0.0  # seconds the modem takes to answer (e.g. the network's submit time)


@dataclass
class Prompt:
    """Enter the "> " state: the DTE now types a PDU or text ending in Ctrl-Z."""

    command: str  # "+CMGS" or "+CMGW"
    length: int | None  # PDU mode: TPDU octets announced
    destination: str | None = None  # text mode
    stat: int = 2  # +CMGW only


# Verbose texts for +CMEE=2 (27.007 9.2, 27.005 3.2.5).
CME_TEXT = {
    3: "operation not allowed",
    4: "operation not supported",
    10: "SIM not inserted",
    11: "SIM PIN required",
    12: "SIM PUK required",
    13: "SIM failure",
    14: "SIM busy",
    16: "incorrect password",
    21: "invalid index",
    30: "no network service",
    50: "incorrect parameters",
    100: "unknown",
}
CMS_TEXT = {
    300: "ME failure",
    302: "operation not allowed",
    303: "operation not supported",
    304: "invalid PDU mode parameter",
    305: "invalid text mode parameter",
    310: "SIM not inserted",
    311: "SIM PIN required",
    313: "SIM failure",
    316: "SIM PUK required",
    321: "invalid memory index",
    322: "memory full",
    330: "SMSC address unknown",
    331: "no network service",
    332: "network timeout",
    340: "no +CNMA acknowledgement expected",
    500: "unknown error",
}
# The +CMS ERROR an SMS command reports for each SIM +CME ERROR.
CMS_FOR_SIM_CME = {10: 310, 11: 311, 12: 316, 13: 313, 3: 302}
