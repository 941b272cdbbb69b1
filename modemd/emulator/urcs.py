"""Framing of what the modem writes: information lines, final codes, URCs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modemd.emulator.replies import (
    CME_TEXT,
    CMS_TEXT,
    CmeError,
    CmsError,
    PlainError,
    Reply,
    Unsupported,
)

if TYPE_CHECKING:
    from modemd.emulator.modem import EmulatedModem

# V.250 numeric result codes for ATV0.
NUMERIC = {"OK": "0", "ERROR": "4"}


def frame(modem: EmulatedModem, text: str, pdu: str | None = None) -> bytes:
    """<CR><LF>text<CR><LF>[pdu<CR><LF>]: how a URC goes out."""
    end = modem.profile.line_end
    body = end + text + end + (pdu + end if pdu is not None else "")
    return body.encode("latin-1", errors="replace")


def line(modem: EmulatedModem, text: str) -> bytes:
    return (text + modem.profile.line_end).encode("latin-1", errors="replace")


def final(modem: EmulatedModem, code: str) -> bytes:
    settings = modem.settings
    if settings.quiet:
        return b""
    if not settings.verbose:
        return (NUMERIC.get(code, code) + "\r").encode()
    return frame(modem, code)


def error_code(modem: EmulatedModem, error: Exception) -> str:
    """The final result text for an error, as +CMEE asks."""
    if isinstance(error, Unsupported):
        if modem.profile.unknown_command != "ERROR":
            return modem.profile.unknown_command  # a vendor's own words, whatever +CMEE says
        error = CmeError(4)  # operation not supported
    if isinstance(error, PlainError) or modem.settings.cmee == 0:
        return "ERROR"
    if isinstance(error, CmeError):
        text = CME_TEXT.get(error.code, "unknown") if modem.settings.cmee == 2 else error.code
        return f"+CME ERROR: {text}"
    if isinstance(error, CmsError):
        text = CMS_TEXT.get(error.code, "unknown error") if modem.settings.cmee == 2 else error.code
        return f"+CMS ERROR: {text}"
    return "ERROR"


def response(modem: EmulatedModem, outcome: Reply | Exception, held: bytes) -> bytes:
    """Info block, then held URCs (a URC inside the response), then the final code."""
    if isinstance(outcome, Exception):
        lines, code = [], error_code(modem, outcome)
    else:
        lines, code = outcome.lines, "OK" if outcome.final_ok else None
    end = modem.profile.line_end
    if not lines:
        info = ""
    elif modem.settings.verbose:
        info = end + end.join(lines) + end
    else:
        info = "".join(text + end for text in lines)
    body = info.encode("latin-1", errors="replace") + held
    return body + (final(modem, code) if code is not None else b"")


def registration(prefix: str, mode: int, stat: int) -> str:
    if mode == 2 and stat in (1, 5):
        return f'{prefix}: {stat},"00A1","0000B2C3"'
    return f"{prefix}: {stat}"
