"""What the decoders must do with a fuzz input, and what the receiver path must store.

Both decoders never raise; what they cannot decode is Undecodable with a reason (never
"internal decoder error": that is a decoder bug the catch-all hid); what they decode can
be stored (no lone surrogates) and has the fields its encoder put in. Through
modemd.services.receiver.record into a real Store, each undecodable input is in
quarantine with its reason, and nothing decodable is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from modemd.services.receiver import record
from modemd.sms import (
    Deliver,
    StatusReport,
    Submit,
    Undecodable,
    decode_from_ms,
    decode_from_sc,
)
from modemd.store import LineIdentity, Store

from .pdu_inputs import Expect, PduInput

Decoded = Deliver | StatusReport | Submit | Undecodable
DECODERS: tuple[tuple[str, Callable[..., Decoded], tuple[type, ...]], ...] = (
    ("sc", decode_from_sc, (Deliver, StatusReport, Undecodable)),
    ("ms", decode_from_ms, (Submit, Undecodable)),
)


def decode_problems(item: PduInput, counts: Counter[str]) -> list[str]:
    found: list[str] = []
    for name, decoder, allowed in DECODERS:
        try:
            result = decoder(item.pdu, has_smsc=item.has_smsc)
        except Exception as error:  # the promise under test: this never happens
            found.append(f"decode_from_{name} raised {error!r}")
            continue
        counts[f"{name} {type(result).__name__}"] += 1
        if isinstance(result, Undecodable):
            counts[f"reason: {reason_class(result.reason)}"] += 1
        found += [f"decode_from_{name}: {p}" for p in result_problems(item, result, allowed)]
        expect = item.sc if name == "sc" else item.ms
        if expect is not None:
            found += [f"decode_from_{name}: {p}" for p in expect_problems(result, expect)]
    return found


def reason_class(reason: str) -> str:
    """A reason without its particulars: 'truncated: TP-OA', 'SMSC length exceeds octets'."""
    if reason.startswith("truncated: "):
        return reason.split(" needs ", 1)[0]
    head = re.split(r"[:,]", reason, maxsplit=1)[0]
    return " ".join(word for word in head.split() if not any(c.isdigit() for c in word))


def result_problems(item: PduInput, result: object, allowed: tuple[type, ...]) -> list[str]:
    if not isinstance(result, allowed):
        return [f"returned a {type(result).__name__}"]
    if isinstance(result, Undecodable):
        if not result.reason or "internal decoder error" in result.reason:
            return [f"no real reason: {result.reason!r}"]
        return [] if result.pdu == str(item.pdu) else [f"kept {result.pdu!r}, not the input"]
    texts = [repr(result)]  # every field, via the dataclass repr
    if isinstance(result, Deliver | Submit):
        texts += [result.text, str(result.concat)]
    else:
        texts.append(result.outcome)  # type: ignore[union-attr]
    address = getattr(result, "originator", None) or getattr(result, "destination", None) or \
        getattr(result, "recipient", None)
    texts.append(address.number if address else "")
    try:
        for value in texts:
            value.encode("utf-8")  # SQLite takes UTF-8: a lone surrogate would not store
    except UnicodeEncodeError as error:
        return [f"decoded text cannot be stored: {error}"]
    return []


def expect_problems(result: object, expect: Expect) -> list[str]:
    if not isinstance(result, expect.kind):
        detail = f" ({result.reason})" if isinstance(result, Undecodable) else ""
        return [f"gave {type(result).__name__}{detail}, expected {expect.kind.__name__}"]
    if isinstance(result, Undecodable) and expect.reason not in result.reason:
        return [f"reason {result.reason!r} does not say {expect.reason!r}"]
    found = []
    for path, wanted in expect.fields.items():
        got = _field(result, path)
        if got != wanted:
            found.append(f"{path} is {got!r}, expected {wanted!r}")
    return found


def _field(value: object, path: str) -> object:
    for name in path.split("."):
        if value is None:
            return None
        call = name.endswith("()")
        value = getattr(value, name.removesuffix("()"))
        value = value() if call else value  # type: ignore[operator]
    return value


class QuarantineSample:
    """Inputs through the receiver's record() into a real Store, then checked in it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.line_id = store.lines.register(
            LineIdentity(iccid="8901260000000000001", imsi="310260000000001",
                         imei="350000000000001"), name="fuzz", port="fuzz")
        self.recorded: Counter[str] = Counter()
        self._quarantined: dict[str, tuple[str, str]] = {}  # as deduplicated -> (pdu, reason)

    def take(self, pdu: str) -> list[str]:
        decoded = decode_from_sc(pdu)
        try:
            safe = record(self.store, self.line_id, pdu, decoded)
        except Exception as error:
            return [f"receiver.record raised {error!r}"]
        self.recorded[type(decoded).__name__] += 1
        if isinstance(decoded, Undecodable):
            self._quarantined.setdefault(pdu.strip().upper(), (pdu, decoded.reason))
        return [] if safe else [f"record said not safe to delete a {type(decoded).__name__}"]

    @property
    def quarantined(self) -> int:
        return len(self._quarantined)

    def verify(self) -> list[str]:
        """Every undecodable input is in quarantine with its reason; nothing else is."""
        rows = self.store.views.quarantine(limit=len(self._quarantined) + 100)
        stored = {row["pdu"].strip().upper(): row for row in rows}
        found = [f"quarantine has {len(rows)} rows, expected {len(self._quarantined)}"
                 ] if len(rows) != len(self._quarantined) else []
        for key, (pdu, reason) in self._quarantined.items():
            row = stored.get(key)
            if row is None:
                found.append(f"undecodable {pdu!r} is not in quarantine")
            elif (row["reason"], row["line_id"]) != (reason, self.line_id):
                found.append(f"quarantined {pdu!r} as {row['reason']!r} on line "
                             f"{row['line_id']}, expected {reason!r} on {self.line_id}")
        return found
