"""Which lines end a command (final result codes) and which are unsolicited (URCs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from modemd.at.cme import cme_code
from modemd.at.cms import cms_code
from modemd.at.errors import AtError, CmeError, CmsError, CommandError

_ERROR_FINALS = frozenset(
    {"ERROR", "NO CARRIER", "COMMAND NOT SUPPORT", "TOO MANY PARAMETERS", "NO DIALTONE",
     "BUSY", "NO ANSWER"}
)
_CODED = re.compile(r"^\+(CME|CMS) ERROR:\s*(.*)$", re.IGNORECASE)

# URC name -> number of lines that follow it (the PDU of +CMT/+CDS/+CBM).
URC_TRAILING: dict[str, int] = {
    "+CMTI": 0, "+CMT": 1, "+CDSI": 0, "+CDS": 1, "+CBM": 1, "+CBMI": 0,
    "+CREG": 0, "+CGREG": 0, "+CEREG": 0, "+CPIN": 0, "+CFUN": 0, "+CIEV": 0,
    "+CUSD": 0, "+CLIP": 0, "+CRING": 0, "RING": 0, "RDY": 0, "+QIND": 0, "+QUSIM": 0,
    "CALL READY": 0, "SMS READY": 0, "+PBREADY": 0, "^RSSI": 0, "^BOOT": 0, "^MODE": 0,
    "^SRVST": 0, "^SIMST": 0, "^SMMEMFULL": 0, "^HCSQ": 0, "^SYSSTART": 0,
    "+STIN": 0, "^STIN": 0, "+CSQN": 0, "+WIND": 0,
}


@dataclass(frozen=True)
class Urc:
    name: str  # "+CMTI", "RING", "^RSSI"
    value: str  # text after "NAME: " (or the whole line for bare words)
    payload: str | None = None  # the trailing line of +CMT/+CDS

    @property
    def fields(self) -> list[str]:
        """Comma-separated values with quotes removed: '"SM",3' -> ['SM', '3']."""
        return split_fields(self.value)


def split_fields(value: str) -> list[str]:
    """'"SM",3,,"a,b"' -> ['SM', '3', '', 'a,b']: commas inside quotes stay."""
    out: list[str] = []
    current: list[str] = []
    quoted = False
    for char in value:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            out.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    out.append("".join(current).strip())
    return out


def line_name(line: str) -> str:
    """'+CMTI: "SM",1' -> '+CMTI'; 'Call Ready' -> 'CALL READY'."""
    head = line.split(":", 1)[0].strip() if ":" in line else line.strip()
    return head.upper()


def urc_name(line: str) -> str | None:
    name = line_name(line)
    return name if name in URC_TRAILING else None


def is_number(text: str) -> bool:
    """ASCII digits only: "²" and "٢" are digits to str.isdigit(), never to a modem."""
    return text.isascii() and text.isdigit()


def is_register_value(line: str) -> bool:
    """An S-register's value as ATS3? answers it: "013" (noise like "1²" is no proof)."""
    return is_number(line) and len(line) <= 3


def make_urc(line: str, payload: str | None = None) -> Urc:
    name = line_name(line)
    value = line.split(":", 1)[1].strip() if ":" in line else line.strip()
    return Urc(name, value, payload)


def final_result(line: str, command: str) -> AtError | bool | None:
    """True for OK, an AtError for a failure, None when the line is not final."""
    if line == "OK":
        return True
    if line.upper() in _ERROR_FINALS:
        return CommandError(f"{line} on {command}", command)
    match = _CODED.match(line)
    if match is None:
        return None
    kind, detail = match.group(1).upper(), match.group(2).strip()
    if is_number(detail):
        code, text = int(detail), ""
    else:  # verbose (AT+CMEE=2): the code from the standard text, the text kept
        code, text = (cme_code if kind == "CME" else cms_code)(detail), detail
    return CmeError(code, command, text) if kind == "CME" else CmsError(code, command, text)
