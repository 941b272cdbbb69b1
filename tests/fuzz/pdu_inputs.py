"""Seeded inputs for the PDU decoder fuzz, each with what it must decode to.

Valid PDUs come from modemd's encoders (random texts in every alphabet, multipart,
alphanumeric senders, any time zone) and the golden vectors in fixtures/pdus; they are
then cut, bit-flipped, given lying lengths, padded, cased and spaced, or replaced by
noise: random hex, odd lengths, non-hex, bytes as a modem line reads, any string.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from modemd.sms import (
    Address,
    Deliver,
    StatusReport,
    Submit,
    Undecodable,
    deliver_user_data,
    encode_deliver,
    encode_status_report,
    encode_submit,
)
from modemd.sms.alphabet import DEFAULT_TABLE, ESCAPE, EXTENSION_TABLE

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pdus"
GOLDEN = [vector for path in sorted(FIXTURES.glob("*.json"))
          for vector in json.loads(path.read_text(encoding="utf-8"))]
_KINDS = {"Deliver": Deliver, "StatusReport": StatusReport, "Submit": Submit,
          "Undecodable": Undecodable}

GSM7 = "".join(char for code, char in enumerate(DEFAULT_TABLE) if code != ESCAPE)
EXTENDED = "".join(EXTENSION_TABLE.values())
WIDE = "абвгдежзийклмнопрстуфхцчшщыэюяąęłńśźż中文字漢字한국어ありがとう`"
EMOJI = ("🙂", "👍", "🎉", "😀", "🇩🇪", "👩‍💻", "❤️")
SMSCS = (None, "+15550000000", "+447785016005")


@dataclass(frozen=True)
class Expect:
    kind: type
    fields: dict[str, object] = field(default_factory=dict)  # "originator.number": "+1..."
    reason: str = ""  # a piece of Undecodable.reason


@dataclass(frozen=True)
class PduInput:
    pdu: object  # a str nearly always; anything a caller could pass
    origin: str  # how it was made, for the report
    has_smsc: bool = True
    sc: Expect | None = None  # what decode_from_sc must give (None: anything, no exception)
    ms: Expect | None = None
    line: bool = True  # text a modem's line can carry: goes through the store too


def text(rng: random.Random) -> str:
    """A message text: plain GSM-7, with extension characters, UCS-2, emoji; 0-500 chars."""
    size = rng.choice((0, 1, 5, 20, 67, 70, 71, 140, 153, 160, 161, 307, 500))
    alphabet = rng.choice((GSM7, GSM7 + EXTENDED, GSM7 + WIDE, WIDE))
    chars = rng.choices(alphabet, k=size)
    for _ in range(rng.choice((0, 0, 1, 3)) if size else 0):
        chars[rng.randrange(size)] = rng.choice(EMOJI)
    return "".join(chars)


def number(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 15)))
    return rng.choice((f"+{digits}", f"+{digits}", digits, "*100#", "12345"))


def sender(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return number(rng)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    rest = "".join(rng.choice(letters + "0123456789 -") for _ in range(rng.randint(0, 10)))
    return (rng.choice(letters) + rest).strip()  # a letter: otherwise it reads as a number


def moment(rng: random.Random) -> datetime:
    zone = timezone(timedelta(minutes=15 * rng.randint(-79, 79)))
    start = datetime(1969, 1, 2, tzinfo=zone)
    return start + timedelta(seconds=rng.randrange(99 * 365 * 86400))


def submit(rng: random.Random) -> PduInput:
    destination, body = number(rng), text(rng)
    options = {"status_report": rng.random() < 0.7, "message_reference": rng.randrange(256),
               "validity": rng.choice((None, 167, rng.randrange(256))),
               "reject_duplicates": rng.random() < 0.3, "smsc": rng.choice(SMSCS),
               "wide_reference": rng.random() < 0.3}
    parts = encode_submit(destination, body, rng=rng, **options)  # type: ignore[arg-type]
    part = rng.choice(parts)
    fields = {"destination.number": Address.parse(destination).number, "text": part.text,
              "concat": part.concat, "message_reference": options["message_reference"],
              "validity": options["validity"], "reject_duplicates": options["reject_duplicates"],
              "status_report_requested": options["status_report"]}
    return PduInput(part.pdu, "submit", sc=Expect(Undecodable, reason="SMS-SUBMIT-REPORT"),
                    ms=Expect(Submit, fields))


def deliver(rng: random.Random) -> PduInput:
    origin, body, smsc, at = sender(rng), text(rng), rng.choice(SMSCS), moment(rng)
    parts = deliver_user_data(body, wide_reference=rng.random() < 0.3, rng=rng)
    user_data = rng.choice(parts)
    more, report = rng.random() < 0.2, rng.random() < 0.3
    encoded = encode_deliver(origin, user_data, timestamp=at, smsc=smsc,
                             more_messages_to_send=more, status_report_indication=report)
    fields = {"originator.number": Address.parse(origin).number, "text": user_data.text,
              "concat": user_data.concat, "service_centre_time": at,
              "service_centre_time.utcoffset()": at.utcoffset(),
              "smsc.number": Address.parse(smsc).number if smsc else None,
              "more_messages_to_send": more, "status_report_indication": report}
    return PduInput(encoded.pdu, "deliver", sc=Expect(Deliver, fields),
                    ms=Expect(Undecodable, reason="SMS-DELIVER-REPORT"))


def report(rng: random.Random) -> PduInput:
    reference, recipient, status = rng.randrange(256), number(rng), rng.randrange(256)
    submitted, discharged = moment(rng), moment(rng)
    encoded = encode_status_report(reference, recipient, submitted_at=submitted,
                                   discharged_at=discharged, status=status,
                                   smsc=rng.choice(SMSCS))
    fields = {"message_reference": reference, "recipient.number": Address.parse(recipient).number,
              "service_centre_time": submitted, "discharge_time": discharged, "status": status}
    return PduInput(encoded.pdu, "report", sc=Expect(StatusReport, fields),
                    ms=Expect(Undecodable, reason="SMS-COMMAND"))


def golden(rng: random.Random) -> PduInput:
    vector = rng.choice(GOLDEN)
    expect = Expect(_KINDS[vector["expect"]["type"]],
                    reason=vector["expect"].get("reason_contains", ""))
    sc, ms = (expect, None) if vector["decode"] == "sc" else (None, expect)
    return PduInput(vector["pdu"], f"golden:{vector['name']}", vector["has_smsc"], sc, ms)


VALID = (submit, deliver, deliver, report, golden)
