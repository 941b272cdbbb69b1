"""Where each event from the modem goes: the command in flight, a late answer, or a URC.

Pure and synchronous (no threads, no clock, no I/O), so every interleaving can be
tested by feeding events; the channel calls it from its reader under one lock.

A command we gave up on (timeout) is *owed*: the modem may still answer it, and
answers come in order, so its late lines and final result are dropped here
instead of reaching the next command. The channel writes nothing new while an
answer is owed; it forgives the debt after a bounded wait (the modem lost it).
"""

from __future__ import annotations

import logging
from collections import deque

from modemd.at.errors import AtError
from modemd.at.lines import PROMPT
from modemd.at.pending import Pending
from modemd.at.results import URC_TRAILING, Urc, final_result, make_urc, urc_name

log = logging.getLogger(__name__)


class Router:
    def __init__(self, name: str = "modem") -> None:
        self.name = name
        self.pending: Pending | None = None
        self._owed: deque[Pending] = deque()  # given up on, oldest first; answers still due
        self._head: str | None = None  # a +CMT/+CDS header waiting for its PDU line

    @property
    def owed(self) -> int:
        """Commands given up on whose final result has not arrived yet."""
        return len(self._owed)

    def start(self, pending: Pending) -> None:
        """pending was written to the modem: the lines that follow are its answer."""
        if self.pending is not None or self._owed:
            raise RuntimeError(f"{self.name}: a command is still in flight or owed an answer")
        self.pending = pending

    def abandon(self, pending: Pending, *, owe: bool = True) -> bool:
        """Stop waiting for pending; False if its final result already came (take it).

        owe: its answer may still come (a timeout), so drop it when it does.
        """
        if self.pending is not pending:
            return False
        self.pending = None
        if owe:
            self._owed.append(pending)
        return True

    def forgive(self) -> int:
        """The owed answers will never come (the modem lost the commands): stop waiting."""
        count = len(self._owed)
        self._owed.clear()
        return count

    def reset(self) -> None:
        """A new life of the port: nothing in flight, nothing owed, no half URC."""
        self.pending, self._head = None, None
        self._owed.clear()

    def route(self, event: object) -> Urc | None:
        """Deliver one event from the LineSplitter; a complete URC if it finished one."""
        if event is PROMPT:
            if self.pending is not None and self.pending.wants_prompt:
                self.pending.prompt.set()
            return None
        line = str(event)
        if self._head is not None:  # 27.005: the line after +CMT/+CDS is its PDU
            head, self._head = self._head, None
            return make_urc(head, line)
        if self._owed:
            return self._late(line)
        if self.pending is not None and self._take(self.pending, line):
            return None
        return self._unsolicited(line)

    def _take(self, pending: Pending, line: str) -> bool:
        """Is line part of pending's answer? Completes it on a final result."""
        final = final_result(line, pending.text)
        if pending.proof is not None:
            return self._unproven(pending, line, final)
        if final is not None:
            self.pending = None
            pending.complete(final)
            return True
        if pending.is_echo(line):
            return True
        if urc_name(line) is not None and not pending.expects(line):
            return False
        pending.add(line)
        return True

    def _unproven(self, pending: Pending, line: str, final: AtError | bool | None) -> bool:
        """A resync before its proof line: only the proof, an error or a URC counts."""
        if final is True:  # the ESC's OK, or a forgiven late answer's
            log.info("%s: %r before the answer to %s dropped", self.name, line, pending.text)
            return True
        if final is not None:  # an error: the sync command itself was refused
            self.pending = None
            pending.complete(final)
            return True
        if pending.proof is not None and pending.proof(line):
            pending.proof = None  # proven: the next OK is this command's
            return True
        return urc_name(line) is None  # URCs still go out; older lines are dropped

    def _late(self, line: str) -> Urc | None:
        """A line while an answer is owed: the late answer's, unless it is a URC."""
        oldest = self._owed[0]
        if final_result(line, oldest.text) is not None:
            self._owed.popleft()
            log.warning("%s: late %r to %s dropped", self.name, line, oldest.text)
            return None
        if urc_name(line) is not None and not oldest.expects(line):
            return self._unsolicited(line)
        log.info("%s: late line %r of %s dropped", self.name, line, oldest.text)
        return None

    def _unsolicited(self, line: str) -> Urc | None:
        name = urc_name(line)
        if name is not None and URC_TRAILING[name]:
            self._head = line
            return None
        if name is None and final_result(line, "") is not None:
            log.warning("%s: dropped a stray %r (no command waits for it)", self.name, line)
            return None
        if name is None:
            log.info("%s: unsolicited line %r", self.name, line)
        return make_urc(line)
