"""Turning an agent's request into a queued message: a checked number, encoded parts."""

from __future__ import annotations

from modemd.errors import InvalidInputError
from modemd.sms.numbers import to_e164
from modemd.store.outbound import NewMessage, NewPart

MAX_PARTS = 10  # a person-to-person desk: longer text is a mistake, not a message


def prepare(to: str, text: str, *, operator: str, default_region: str | None = None,
            requested_line: int | None = None, answering: int | None = None) -> NewMessage:
    """Validate and encode; raises InvalidInputError (what, why, what to do)."""
    from modemd.sms import encode_submit, split_text  # noqa: PLC0415  (only sends encode)

    peer = to_e164(to, default_region)
    if not text:
        raise InvalidInputError("the message text is empty: give the text to send")
    plan = split_text(text)
    if len(plan.parts) > MAX_PARTS:
        raise InvalidInputError(
            f"the text needs {len(plan.parts)} SMS parts; the limit is {MAX_PARTS} "
            f"(about {MAX_PARTS * 153} plain characters or {MAX_PARTS * 67} with emoji or "
            "non-Latin letters): shorten it or split it into several messages")
    pdus = encode_submit(peer, text, status_report=True)
    parts = tuple(NewPart(p.pdu, p.tpdu_length) for p in pdus)
    return NewMessage(peer, text, plan.encoding.value, parts, operator, requested_line,
                      answering)
