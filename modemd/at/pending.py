"""The command in flight: what it waits for and what it collected."""

from __future__ import annotations

import threading
from collections.abc import Callable

from modemd.at.errors import AtError
from modemd.at.results import line_name
from modemd.transport import PortLost


class Pending:
    def __init__(self, text: str, expect: str | None, wants_prompt: bool,
                 payload: str | None = None, final_optional: bool = False,
                 proof: Callable[[str], bool] | None = None) -> None:
        self.text = text
        self.expect = expect.upper() if expect else None  # e.g. "+CSQ": its lines are ours
        self.wants_prompt = wants_prompt
        self.payload = payload
        self.final_optional = final_optional  # some modems send "+CPIN: READY" and no OK
        # a resync: until a line passes proof, an OK is an older command's (or the ESC's)
        self.proof = proof
        self.answered = threading.Event()  # a line with the expected prefix arrived
        self.lines: list[str] = []
        self.prompt = threading.Event()
        self.done = threading.Event()
        self._error: Exception | None = None

    def expects(self, line: str) -> bool:
        """A URC-looking line that is really our answer (+CREG: for AT+CREG?)."""
        return self.expect is not None and line_name(line) == self.expect

    def add(self, line: str) -> None:
        self.lines.append(line)
        if self.expects(line):
            self.answered.set()

    def is_echo(self, line: str) -> bool:
        """The modem repeating what we wrote (ATE1, or the PDU after "> ")."""
        upper = line.lstrip("\x1b").upper()  # a resync's ESC is echoed before its AT
        if upper == self.text.upper():
            return True
        return self.payload is not None and upper.rstrip("\x1a") == self.payload.upper()

    def complete(self, final: AtError | bool) -> None:
        if isinstance(final, AtError):
            final.lines = tuple(self.lines)
            self._error = final
        self._end()

    def _end(self) -> None:
        self.done.set()
        self.prompt.set()  # an ERROR instead of "> " also ends the wait for it
        self.answered.set()  # ... and the wait for an expected line (final_optional)

    def fail(self, error: AtError | PortLost) -> None:
        self._error = error
        self._end()

    def result(self) -> list[str]:
        if self._error is not None:
            raise self._error
        return list(self.lines)
