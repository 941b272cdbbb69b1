"""Pure parsers for what 27.007/27.005 commands answer. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

from modemd.at.results import is_number, split_fields

_NUMBERS = re.compile(r"-?[0-9]+")  # not \d: it matches "²" too


def after_colon(line: str) -> str:
    return line.split(":", 1)[1].strip() if ":" in line else line.strip()


def prefixed(lines: list[str], prefix: str) -> str | None:
    """The value of the first line starting with prefix ("+CSQ")."""
    wanted = prefix.upper() + ":"
    for line in lines:
        if line.upper().startswith(wanted):
            return after_colon(line)
    return None


@dataclass(frozen=True)
class Signal:
    rssi: int  # 0-31, 99 unknown
    ber: int


def signal(lines: list[str]) -> Signal | None:
    value = prefixed(lines, "+CSQ")
    numbers = [int(n) for n in _NUMBERS.findall(value or "")]
    return Signal(numbers[0], numbers[1]) if len(numbers) >= 2 else None




def registration(lines: list[str], prefix: str = "+CREG") -> int | None:
    """<stat> from a +CREG?-style answer (n,stat[,lac,ci])."""
    value = prefixed(lines, prefix)
    if value is None:
        return None
    parts = split_fields(value)
    stat = parts[1] if len(parts) >= 2 else parts[0]
    return int(stat) if is_number(stat) else None


def operator(lines: list[str]) -> str | None:
    value = prefixed(lines, "+COPS")
    parts = split_fields(value or "")
    return parts[2] if len(parts) >= 3 and parts[2] else None


def message_reference(lines: list[str], prefix: str = "+CMGS") -> int | None:
    value = prefixed(lines, prefix)
    numbers = _NUMBERS.findall(value or "")
    return int(numbers[0]) if numbers else None


def digits_line(lines: list[str], min_length: int, max_length: int) -> str | None:
    """The first line (or value after a prefix) that is all digits of a plausible length.

    Vendors answer +CGSN/+CIMI/+CCID bare, prefixed ("+CCID: ..."), or quoted.
    """
    for line in lines:
        candidate = after_colon(line).strip('"').strip()
        candidate = candidate.rstrip("Ff")  # ICCIDs are sometimes F-padded
        if is_number(candidate) and min_length <= len(candidate) <= max_length:
            return candidate
    return None


def own_number(lines: list[str]) -> str | None:
    value = prefixed(lines, "+CNUM")
    parts = split_fields(value or "")
    return parts[1] if len(parts) >= 2 and parts[1] else None


@dataclass(frozen=True)
class Listed:
    """One message from +CMGL/+CMGR in PDU mode."""

    index: int | None  # None for +CMGR (the caller knows it)
    stat: int
    pdu: str


def listing(lines: list[str], prefix: str = "+CMGL") -> list[Listed]:
    """Header/PDU line pairs; a header without a hex PDU line is skipped."""
    found: list[Listed] = []
    wanted = prefix.upper() + ":"
    for position, line in enumerate(lines):
        if not line.upper().startswith(wanted) or position + 1 >= len(lines):
            continue
        pdu = lines[position + 1].strip()
        if not _is_hex(pdu):
            continue
        parts = split_fields(after_colon(line))
        if prefix.upper() == "+CMGL":
            if len(parts) < 2 or not is_number(parts[0]) or not is_number(parts[1]):
                continue
            found.append(Listed(int(parts[0]), int(parts[1]), pdu.upper()))
        elif parts and is_number(parts[0]):
            found.append(Listed(None, int(parts[0]), pdu.upper()))
    return found


def _is_hex(text: str) -> bool:
    return bool(text) and len(text) % 2 == 0 and all(c in "0123456789abcdefABCDEF" for c in text)


def memories(lines: list[str]) -> list[list[str]]:
    """+CPMS=? -> [[mem1 choices], [mem2 choices], [mem3 choices]]."""
    value = prefixed(lines, "+CPMS") or ""
    groups = re.findall(r"\(([^)]*)\)", value)
    return [[m.strip().strip('"') for m in group.split(",") if m.strip()] for group in groups]


def ranges(lines: list[str], prefix: str) -> list[set[int]]:
    """'+CNMI: (0-2),(0,1,3)' -> [{0,1,2},{0,1,3}]."""
    value = prefixed(lines, prefix) or ""
    result: list[set[int]] = []
    for group in re.findall(r"\(([^)]*)\)", value):
        allowed: set[int] = set()
        for item in group.split(","):
            low, _, high = item.strip().partition("-")
            if is_number(low) and (not high or is_number(high)):
                allowed.update(range(int(low), int(high or low) + 1))
        result.append(allowed)
    return result
