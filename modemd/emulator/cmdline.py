"""The modem side of V.250: split one command line into invocations.

This is the emulator's own parser (never the driver's), written from V.250 5.2:
basic commands (E0, V1, &F, S0=1) may follow each other directly; extended
commands (+CMGF=0, ^CURC=0, !ICCID?) are separated by ';'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EXTENDED_PREFIXES = "+^$%!*#"
_EXTENDED_NAME = re.compile(r"[A-Z0-9_.%\-:/]+")
_BASIC = re.compile(r"(&[A-Z]|[A-Z])(\d*)")
_S_REGISTER = re.compile(r"S(\d+)(\?|=(\d*))?")


class CommandLineError(ValueError):
    """The line is not valid V.250 syntax."""


@dataclass(frozen=True)
class Invocation:
    name: str  # "+CMGS", "E", "&F", "S0", "I"
    form: str  # "exec", "read" (?), "test" (=?), "set" (=...)
    args: tuple[str, ...] = ()  # set form: comma-split, quotes removed
    quoted: tuple[bool, ...] = ()  # whether each arg was a quoted string
    number: str = ""  # basic commands: the digits after the letter

    def arg(self, index: int, default: str | None = None) -> str | None:
        if index < len(self.args) and self.args[index] != "":
            return self.args[index]
        return default

    def int_arg(self, index: int, default: int | None = None) -> int | None:
        value = self.arg(index)
        if value is None:
            return default
        if not value.isdigit():
            raise CommandLineError(f"argument {index + 1} of {self.name} is not a number")
        return int(value)


def split_args(text: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """Split `a,"b,c",d` on commas outside quotes."""
    args: list[str] = []
    quoted: list[bool] = []
    current: list[str] = []
    in_quotes = was_quoted = False
    for char in text:
        if char == '"':
            in_quotes = not in_quotes
            was_quoted = True
        elif char == "," and not in_quotes:
            args.append("".join(current).strip())
            quoted.append(was_quoted)
            current, was_quoted = [], False
        else:
            current.append(char)
    if in_quotes:
        raise CommandLineError("unterminated string")
    args.append("".join(current).strip())
    quoted.append(was_quoted)
    return tuple(args), tuple(quoted)


def _extended(body: str, pos: int) -> tuple[Invocation, int]:
    prefix = body[pos]
    match = _EXTENDED_NAME.match(body.upper(), pos + 1)
    if not match:
        raise CommandLineError(f"no command name after {prefix!r}")
    name = prefix + match.group(0)
    pos = match.end()
    rest = body[pos:]
    if rest.startswith("=?"):
        return Invocation(name, "test"), pos + 2
    if rest.startswith("?"):
        return Invocation(name, "read"), pos + 1
    if rest.startswith("="):
        end = _end_of_args(body, pos + 1)
        args, quoted = split_args(body[pos + 1 : end])
        return Invocation(name, "set", args, quoted), end
    return Invocation(name, "exec"), pos


def _end_of_args(body: str, pos: int) -> int:
    in_quotes = False
    while pos < len(body):
        if body[pos] == '"':
            in_quotes = not in_quotes
        elif body[pos] == ";" and not in_quotes:
            return pos
        pos += 1
    return pos


def _basic(body: str, pos: int) -> tuple[Invocation, int]:
    upper = body.upper()
    s_match = _S_REGISTER.match(upper, pos)
    if s_match:
        name = f"S{int(s_match.group(1))}"
        if s_match.group(2) == "?":
            return Invocation(name, "read"), s_match.end()
        if s_match.group(2):
            return Invocation(name, "set", (s_match.group(3),), (False,)), s_match.end()
        return Invocation(name, "exec"), s_match.end()
    match = _BASIC.match(upper, pos)
    if not match:
        raise CommandLineError(f"unexpected character {body[pos]!r}")
    name, digits = match.group(1), match.group(2)
    if upper.startswith("=?", match.end()):
        return Invocation(name, "test", number=digits), match.end() + 2
    return Invocation(name, "exec", number=digits), match.end()


def parse(body: str) -> list[Invocation]:
    """Invocations in the text after "AT" (spaces outside strings are ignored)."""
    invocations: list[Invocation] = []
    pos = 0
    while pos < len(body):
        char = body[pos]
        if char in " ;":
            pos += 1
            continue
        if char in EXTENDED_PREFIXES:
            invocation, pos = _extended(body, pos)
        else:
            invocation, pos = _basic(body, pos)
        invocations.append(invocation)
    return invocations
