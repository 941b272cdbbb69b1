"""GSM verbs on one AT channel: init, identity, PIN, storage, send, read, delete, status."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from modemd.at import AtChannel, AtError, CmeError, CmsError, CommandError
from modemd.modem import parse
from modemd.modem.errors import (
    PinRejected,
    PinRequired,
    PukRequired,
    SendFailed,
    SendPhase,
    SimMissing,
    UnexpectedAnswer,
)
from modemd.sms import (
    Deliver,
    OutboundPdu,
    StatusReport,
    Submit,
    Undecodable,
    decode_from_ms,
    decode_from_sc,
)
from modemd.transport import TransportError

ICCID_COMMANDS = ("AT+CCID", "AT+QCCID", "AT^ICCID?", "AT!ICCID?", "AT+ICCID")
LIST_TIMEOUT = 30.0
PIN_TIMEOUT = 10.0
SIM_STATES_MISSING = {10: "SIM not inserted", 13: "SIM failure", 15: "SIM wrong"}
# Commands after which the selected memory is not known any more (init, resets).
RESELECTING = ("AT+CPMS", "AT+CFUN", "ATZ", "AT&F")


@dataclass(frozen=True)
class Identity:
    manufacturer: str | None
    model: str | None
    revision: str | None
    imei: str | None
    imsi: str | None
    iccid: str | None
    own_number: str | None


@dataclass(frozen=True)
class StoredMessage:
    memory: str
    index: int
    stat: int  # 0 unread, 1 read, 2 unsent, 3 sent
    pdu: str
    decoded: Deliver | StatusReport | Submit | Undecodable


def decode_stored(stat: int, pdu: str) -> Deliver | StatusReport | Submit | Undecodable:
    """Received messages are SC->MS PDUs; stored outgoing ones (stat 2, 3) are SUBMITs."""
    return decode_from_ms(pdu) if stat in (2, 3) else decode_from_sc(pdu)


class Modem:
    def __init__(self, channel: AtChannel) -> None:
        self.channel = channel
        self.memories: list[str] = ["SM"]
        # mem1 (read/delete) as this object last selected it: a Modem lives for one
        # channel session, so a reconnect starts unknown (None)
        self._selected: str | None = None
        # For metrics, per memory: the indices seen holding a message (+CMGL, then +CMGR
        # and +CMGD) and the capacity from the last +CPMS answer; see usage
        self._held: dict[str, set[int]] = {}
        self._capacity: dict[str, int] = {}

    def _one(self, command: str, **options: float | str) -> list[str]:
        if command.upper().startswith(RESELECTING):
            self._selected = None  # init or a reset: the next storage() selects again
        return self.channel.command(command, **options)  # type: ignore[arg-type]

    def _try(self, command: str, **options: float | str) -> list[str] | None:
        """A command some modems lack: None instead of an error."""
        try:
            return self._one(command, **options)
        except (CommandError, CmeError):
            return None

    # ---- start-up --------------------------------------------------------------------

    def initialize(self, pin: str | None = None, *, pin_allowed: bool = True) -> Identity:
        """Echo off, numeric errors, SIM unlocked, PDU mode, storage and CNMI set."""
        self._one("ATE0")
        self._try("AT+CMEE=1")
        self.unlock(pin, pin_allowed=pin_allowed)
        identity = self.identity()
        self._setup_sms()
        return identity

    def pin_state(self) -> str:
        """READY, SIM PIN, SIM PUK, ... as +CPIN? says (some modems omit its OK)."""
        try:
            lines = self.channel.command("AT+CPIN?", expect="+CPIN", final_optional=True)
        except CmeError as error:
            if error.code in SIM_STATES_MISSING:
                raise SimMissing(f"{SIM_STATES_MISSING[error.code]} (+CME ERROR: "
                                 f"{error.code}): insert or reseat the SIM") from error
            raise
        state = parse.prefixed(lines, "+CPIN")
        if state is None:
            raise UnexpectedAnswer(f"AT+CPIN? answered {lines!r}")
        return state.strip('"').upper()

    def unlock(self, pin: str | None, *, pin_allowed: bool = True) -> None:
        """Enter the PIN at most once; never a PUK."""
        state = self.pin_state()
        if state == "READY":
            return
        if "PUK" in state:
            raise PukRequired(f"the SIM asks for its PUK ({state}); modemd never enters a "
                              "PUK: unlock the SIM in a phone")
        if state != "SIM PIN":
            raise SimMissing(f"the SIM is not usable: +CPIN: {state}")
        if pin is None:
            raise PinRequired("the SIM asks for a PIN and none is configured: set pin for "
                              "this modem in the configuration")
        if not pin_allowed:
            raise PinRejected("the configured PIN was rejected before and is not tried "
                              "again: correct it in the configuration")
        self._enter_pin(pin)

    def _enter_pin(self, pin: str) -> None:
        try:
            self._one(f'AT+CPIN="{pin}"', timeout=PIN_TIMEOUT)
        except CmeError as error:
            if error.code in (16, 12):
                raise PinRejected(f"the SIM rejected the configured PIN (+CME ERROR: "
                                  f"{error.code}); it will not be tried again: correct "
                                  "it in the configuration") from error
            raise
        deadline = time.monotonic() + PIN_TIMEOUT
        while self.pin_state() != "READY":
            if time.monotonic() > deadline:
                raise SimMissing("the SIM accepted the PIN but never became READY")
            time.sleep(0.2)

    def identity(self) -> Identity:
        def value(command: str) -> str | None:
            lines = self._try(command)
            return lines[-1].strip() if lines else None

        return Identity(
            manufacturer=value("AT+CGMI"), model=value("AT+CGMM"), revision=value("AT+CGMR"),
            imei=parse.digits_line(self._try("AT+CGSN") or [], 14, 17),
            imsi=parse.digits_line(self._try("AT+CIMI") or [], 6, 15),
            iccid=self._iccid(),
            own_number=parse.own_number(self._try("AT+CNUM", expect="+CNUM") or []),
        )

    def _iccid(self) -> str | None:
        for command in ICCID_COMMANDS:
            found = parse.digits_line(self._try(command) or [], 18, 22)
            if found:
                return found
        return None

    def _setup_sms(self) -> None:
        self._one("AT+CMGF=0")
        offered = parse.memories(self._try("AT+CPMS=?", expect="+CPMS") or [])
        self.memories = offered[0] if offered else ["SM"]
        receive = "SM" if not offered or "SM" in offered[-1] else offered[-1][0]
        self._one(f'AT+CPMS="{receive}","{receive}","{receive}"', expect="+CPMS")
        allowed = parse.ranges(self._try("AT+CNMI=?", expect="+CNMI") or [], "+CNMI")
        mode = 2 if not allowed or 2 in allowed[0] else 1
        ds = 2 if len(allowed) < 4 or 2 in allowed[3] else 1
        self._one(f"AT+CNMI={mode},1,0,{ds},0")
        self._try("AT+CREG=1")

    # ---- sending ---------------------------------------------------------------------

    def send_part(self, part: OutboundPdu, *, timeout: float = 180.0,
                  before_pdu: Callable[[], None] | None = None) -> int | None:
        """Submit one PDU; the TP-MR the modem assigned (None: accepted without one).

        before_pdu runs at the prompt, before the first PDU byte (the caller commits
        that the PDU may go). Failures are SendFailed, carrying their phase.
        """
        phase = [SendPhase.BEFORE_PDU]

        def at_prompt() -> None:
            if before_pdu is not None:
                before_pdu()
            phase[0] = SendPhase.AFTER_PDU

        try:
            lines = self.channel.command_with_prompt(
                f"AT+CMGS={part.tpdu_length}", part.pdu, timeout=timeout,
                before_payload=at_prompt)
        except (AtError, TransportError) as error:
            raise SendFailed(phase[0], error) from error
        return parse.message_reference(lines)

    # ---- stored messages -------------------------------------------------------------

    @contextmanager
    def storage(self, memory: str, *, reselect: bool = False) -> Iterator[StorageSession]:
        """Memory selected for reading and deleting; nothing else interleaves meanwhile.

        AT+CPMS is sent only when this session has not selected memory already (or
        reselect): SR and SM alternate, init and resets forget it, and so does any
        error inside, since the modem's state is then not known.
        """
        with self.channel.transaction():
            if reselect or self._selected != memory:
                answer = self._one(f'AT+CPMS="{memory}"', expect="+CPMS")
                self._selected = memory
                counts = re.findall(r"[0-9]+", parse.prefixed(answer, "+CPMS") or "")
                if len(counts) >= 2:  # used,total of mem1 lead the answer
                    self._capacity[memory] = int(counts[1])
            try:
                yield StorageSession(self.channel, memory, self._held)
            except BaseException:
                self._selected = None
                raise

    def sweep(self) -> list[StoredMessage]:
        """Everything stored in every memory (AT+CMGL=4). Deletes nothing. Each memory is
        selected afresh: the sweep is the safety net, so it trusts no remembered state."""
        found: list[StoredMessage] = []
        for memory in self.memories:
            try:
                with self.storage(memory, reselect=True) as session:
                    found += session.list_all()
            except (CommandError, CmeError, CmsError):
                continue  # a memory the modem lists but cannot select (+CMS ERROR: 302)
        return found

    @property
    def usage(self) -> dict[str, tuple[int, int]]:
        """memory -> (used, capacity), for memories listed in this session (a sweep):
        what the listing found, plus what was read since, less what was deleted."""
        return {memory: (len(self._held[memory]), capacity)
                for memory, capacity in self._capacity.items() if memory in self._held}

    # ---- status ------------------------------------------------------------------------

    def signal(self) -> parse.Signal | None:
        return parse.signal(self._one("AT+CSQ", expect="+CSQ"))

    def registration(self) -> int | None:
        return parse.registration(self._one("AT+CREG?", expect="+CREG"))

    def operator(self) -> str | None:
        self._try("AT+COPS=3,0")
        return parse.operator(self._one("AT+COPS?", expect="+COPS"))


class StorageSession:
    """Reads and deletes in one selected memory, inside Modem.storage()."""

    def __init__(self, channel: AtChannel, memory: str,
                 held: dict[str, set[int]] | None = None) -> None:
        self.channel = channel
        self.memory = memory
        self._held = {} if held is None else held  # the Modem's, kept current (usage)

    def list_all(self) -> list[StoredMessage]:
        lines = self.channel.command("AT+CMGL=4", expect="+CMGL", timeout=LIST_TIMEOUT)
        found = [
            StoredMessage(self.memory, item.index or 0, item.stat, item.pdu,
                          decode_stored(item.stat, item.pdu))
            for item in parse.listing(lines, "+CMGL")
        ]
        self._held[self.memory] = {message.index for message in found}
        return found

    def read(self, index: int) -> StoredMessage | None:
        """The message at index, or None if the slot is empty."""
        try:
            lines = self.channel.command(f"AT+CMGR={index}", expect="+CMGR")
        except CmsError as error:
            if error.code == 321:
                return None  # invalid/empty index
            raise
        items = parse.listing(lines, "+CMGR")
        if not items:
            return None
        item = items[0]
        self._held.get(self.memory, set()).add(index)
        return StoredMessage(self.memory, index, item.stat, item.pdu,
                             decode_stored(item.stat, item.pdu))

    def delete(self, index: int) -> None:
        """Delete one index — only after the caller has committed the message."""
        self.channel.command(f"AT+CMGD={index}")
        self._held.get(self.memory, set()).discard(index)
