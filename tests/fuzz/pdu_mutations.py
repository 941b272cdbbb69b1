"""What happens to a PDU on its way, and noise that was never one.

Changes that keep a PDU's meaning (case, surrounding white space, padding after the user
data) keep its expectation; the others only know what the hex syntax alone says.
"""

from __future__ import annotations

import random
from dataclasses import replace
from string import hexdigits

from modemd.at.lines import decode as line_text
from modemd.sms import Undecodable

from .pdu_inputs import VALID, Expect, PduInput

_HEX = frozenset(hexdigits)
_NOT_HEX = ("G", "Z", "x", " ", ",", '"', "\x00", "\x1a", "é", "\ufffd", "٣", "\u00a0", "\n")
_BOUNDARY = (0x00, 0x01, 0x07, 0x0B, 0x7F, 0x80, 0x8C, 0xA0, 0xFF)
_SPACE = ("", " ", "\r\n", "\t", "  ", "\u00a0")


def syntax(pdu: object) -> str:
    """What is wrong with pdu before any field is read ('' when it is even hex)."""
    if not isinstance(pdu, str):
        return "expected a hex string"
    text = pdu.strip()
    if not text:
        return "empty PDU"
    if not _HEX.issuperset(text):
        return "not hexadecimal"
    return "odd number of hex digits" if len(text) % 2 else ""


def _by_syntax(pdu: object, origin: str, base: PduInput | None = None) -> PduInput:
    reason = syntax(pdu)
    expect = Expect(Undecodable, reason=reason) if reason else None
    return PduInput(pdu, origin, base.has_smsc if base else True, expect, expect,
                    line=isinstance(pdu, str) and (base is None or base.line))


def _octets(base: PduInput) -> bytearray | None:
    return bytearray.fromhex(base.pdu) if isinstance(base.pdu, str) and not syntax(
        base.pdu) else None


def cased(rng: random.Random, base: PduInput) -> PduInput:
    """Lower or mixed case and white space around: the same PDU."""
    pdu = str(base.pdu)
    pdu = "".join(c.lower() if rng.random() < 0.5 else c for c in pdu)
    return replace(base, pdu=rng.choice(_SPACE) + pdu + rng.choice(_SPACE),
                   origin=f"{base.origin}, cased")


def padded(rng: random.Random, base: PduInput) -> PduInput:
    """Octets after the user data: padding some modems add; the same message (a PDU that
    was too short may now be long enough, so only the message type still holds for it)."""
    if _octets(base) is None:
        return cased(rng, base)
    junk = rng.randbytes(rng.randint(1, 20)).hex().upper()
    return replace(base, pdu=str(base.pdu) + junk, origin=f"{base.origin}, padded",
                   sc=_type_kept(base.sc), ms=_type_kept(base.ms))


def _type_kept(expect: Expect | None) -> Expect | None:
    if expect is None or expect.kind is not Undecodable or "SMS-" in expect.reason:
        return expect  # decoded, or refused for its message type (TP-MTI)
    return None


def smscless(rng: random.Random, base: PduInput) -> PduInput:
    """The TPDU alone, as AT+CMGF=0 modems without an SMSC field print it."""
    octets = _octets(base)
    if not octets or not base.has_smsc or octets[0] >= len(octets):
        return cased(rng, base)
    kept = [_type_kept(expect) for expect in (base.sc, base.ms)]
    keep = [e if e is None or "smsc.number" not in e.fields else replace(
        e, fields={**e.fields, "smsc.number": None}) for e in kept]
    return replace(base, pdu=octets[1 + octets[0]:].hex().upper(), has_smsc=False,
                   origin=f"{base.origin}, without SMSC", sc=keep[0], ms=keep[1])


def truncated(rng: random.Random, base: PduInput) -> PduInput:
    pdu = str(base.pdu)
    return _by_syntax(pdu[:rng.randint(0, len(pdu))], f"{base.origin}, truncated", base)


def flipped(rng: random.Random, base: PduInput) -> PduInput:
    octets = _octets(base)
    if not octets:
        return truncated(rng, base)
    for _ in range(rng.randint(1, 3)):
        octets[rng.randrange(len(octets))] ^= 1 << rng.randrange(8)
    return _by_syntax(octets.hex().upper(), f"{base.origin}, bits flipped", base)


def lied(rng: random.Random, base: PduInput) -> PduInput:
    """One of the first octets (where the lengths live) set to a boundary or any value."""
    octets = _octets(base)
    if not octets:
        return truncated(rng, base)
    at = rng.randrange(min(len(octets), 16)) if rng.random() < 0.7 else rng.randrange(len(octets))
    octets[at] = rng.choice(_BOUNDARY) if rng.random() < 0.6 else rng.randrange(256)
    return _by_syntax(octets.hex().upper(), f"{base.origin}, octet {at} changed", base)


def spliced(rng: random.Random, base: PduInput) -> PduInput:
    """Octets inserted or deleted somewhere."""
    octets = _octets(base)
    if not octets:
        return truncated(rng, base)
    at = rng.randrange(len(octets) + 1)
    if rng.random() < 0.5:
        octets[at:at] = rng.randbytes(rng.randint(1, 8))
    else:
        del octets[at:at + rng.randint(1, 8)]
    return _by_syntax(octets.hex().upper(), f"{base.origin}, spliced", base)


def smudged(rng: random.Random, base: PduInput) -> PduInput:
    """A character that is not hex, inside the PDU."""
    pdu = str(base.pdu)
    at = rng.randint(1, max(1, len(pdu) - 1))
    return _by_syntax(pdu[:at] + rng.choice(_NOT_HEX) + pdu[at:], f"{base.origin}, smudged",
                      base)


KEEP = (cased, padded, smscless)
BREAK = (truncated, truncated, flipped, flipped, lied, lied, spliced, smudged)


def noise(rng: random.Random) -> PduInput:
    roll = rng.random()
    if roll < 0.3:
        octets = rng.randbytes(rng.randint(0, 180))
        return _by_syntax(octets.hex().upper(), "random-hex")
    if roll < 0.55:  # looks like one: an empty SMSC field, then any first octet and octets
        head = bytes([0, rng.randrange(256)])
        return _by_syntax((head + rng.randbytes(rng.randint(0, 60))).hex(), "random-tpdu")
    if roll < 0.8:  # whatever a noisy line reads as
        return _by_syntax(line_text(rng.randbytes(rng.randint(0, 120))), "line-noise")
    if roll < 0.95:
        soup = "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randint(0, 40)))
        return replace(_by_syntax(soup, "any-string"), line=False)
    return replace(_by_syntax(rng.choice((None, 17, b"0011", ["00"], 2.5)), "not-a-string"),
                   line=False)


def pdu_input(rng: random.Random) -> PduInput:
    """30 % valid, 15 % valid in another form, 40 % broken, 15 % noise."""
    roll = rng.random()
    if roll < 0.85:
        base = rng.choice(VALID)(rng)
        if roll < 0.3:
            return base
        return rng.choice(KEEP if roll < 0.45 else BREAK)(rng, base)
    return noise(rng)
