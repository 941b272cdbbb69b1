"""What a +CMS ERROR code means for the message and the line (TS 24.011 E-2, 23.040
9.2.3.22, 27.005 3.2.5), grouped by what modemd does about each."""

from __future__ import annotations

from enum import Enum


class CmsClass(Enum):
    PERMANENT = "permanent for the message"
    LINE_CANNOT_SEND = "the line cannot send SMS"
    TEMPORARY = "temporary: retry with backoff"
    MALFORMED = "malformed PDU: our bug"
    DUPLICATE = "duplicate rejected by the SC: already submitted"
    ME_FAILURE = "ME failure: retry a few times, re-initialise the modem"
    SIM_FAILED = "SIM missing, failed or PUK-locked"
    SIM_PIN = "SIM PIN required"
    SIM_BUSY = "SIM busy: retry in seconds"
    MEMORY = "memory failure or full: clean storage"
    SMSC_UNKNOWN = "SMSC address unknown: configuration needed"
    NO_SERVICE = "no network service: retry after registration"
    AMBIGUOUS = "network timeout: the outcome is unknown"
    UNKNOWN = "unknown code"


_TABLE: dict[CmsClass, frozenset[int]] = {
    CmsClass.PERMANENT: frozenset({1, 21, 29, 69, 195, 196}),
    CmsClass.LINE_CANNOT_SEND: frozenset({8, 10, 28, 30, 50, 193}),
    CmsClass.TEMPORARY: frozenset(
        {27, 38, 41, 42, 47, 81, 111, 127, 192, 194, 512, 514, 515}
    ),
    CmsClass.MALFORMED: frozenset({95, 96, 97, 98, 99, 303, 304, 305}),
    CmsClass.DUPLICATE: frozenset({197}),
    CmsClass.ME_FAILURE: frozenset({300, 301, 302, 500}),
    CmsClass.SIM_FAILED: frozenset({310, 312, 313, 315, 316, 317, 318}),
    CmsClass.SIM_PIN: frozenset({311}),
    CmsClass.SIM_BUSY: frozenset({314}),
    CmsClass.MEMORY: frozenset({320, 321, 322}),
    CmsClass.SMSC_UNKNOWN: frozenset({330}),
    CmsClass.NO_SERVICE: frozenset({331}),
    CmsClass.AMBIGUOUS: frozenset({332, 513}),
}
_BY_CODE = {code: kind for kind, codes in _TABLE.items() for code in codes}


# 27.005 3.2.5 verbose texts, for modems left at AT+CMEE=2.
_TEXTS = {
    300: "ME failure", 301: "SMS service of ME reserved", 302: "operation not allowed",
    303: "operation not supported", 304: "invalid PDU mode parameter",
    305: "invalid text mode parameter", 310: "SIM not inserted", 311: "SIM PIN required",
    312: "PH-SIM PIN required", 313: "SIM failure", 314: "SIM busy", 315: "SIM wrong",
    316: "SIM PUK required", 317: "SIM PIN2 required", 318: "SIM PUK2 required",
    320: "memory failure", 321: "invalid memory index", 322: "memory full",
    330: "SMSC address unknown", 331: "no network service", 332: "network timeout",
    340: "no +CNMA acknowledgement expected", 500: "unknown error",
}
_BY_TEXT = {text.casefold(): code for code, text in _TEXTS.items()}


def classify(code: int) -> CmsClass:
    return _BY_CODE.get(code, CmsClass.UNKNOWN)


def cms_code(text: str) -> int:
    """The code for a verbose +CMS ERROR text; -1 if unknown."""
    return _BY_TEXT.get(" ".join(text.split()).casefold(), -1)
