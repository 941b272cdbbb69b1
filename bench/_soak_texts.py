"""Texts for the soak: unique tokens in every part, GSM-7 (with extension characters),
UCS-2 and emoji, single and multipart; undecodable PDUs, garbage bytes.

Every part of every text carries a whole token, so any stored part (even of an
incomplete message) says which message it belongs to.
"""

from __future__ import annotations

import random
import re

from modemd.sms import Undecodable, decode_from_sc, split_text

TOKEN = re.compile(r"[oi]\d{5}q")  # o: an agent's message, i: the network's
STYLES = ("gsm", "gsm_ext", "ucs2", "emoji")
_WORDS = ("desk", "ticket", "order", "parcel", "reply", "thanks", "today", "please", "call",
          "back", "soon", "your", "code", "ready", "pickup", "invoice", "paid", "route")
_EXTENSION = "^{}\\[~]|€"
_UCS2_WORDS = ("привет", "καλημέρα", "zażółć", "日本", "مرحبا", "שלום", "çava")
_EMOJI = ("👍", "🎉", "📦", "✅", "😀", "🚚")
CHUNK_MAX = 24  # a token at least every 25 characters: every part holds a whole one
GARBAGE = (b"\x00\xff\xfe\x80", b"\xc3(\x9b", b"~~\xa0\xa1", b"\x1b[0m\xff", b"\xed\xa0\x80")


def token(kind: str, number: int) -> str:
    """kind "o" (outbound) or "i" (inbound); unique, never a prefix of another."""
    return f"{kind}{number:05d}q"


def tokens_in(text: str) -> set[str]:
    return set(TOKEN.findall(text or ""))


_SIGNATURE = {
    "gsm": lambda rng: rng.choice(_WORDS),
    "gsm_ext": lambda rng: rng.choice(_EXTENSION) + rng.choice(_WORDS)[:4] + rng.choice(_EXTENSION),
    "ucs2": lambda rng: rng.choice(_UCS2_WORDS),
    "emoji": lambda rng: rng.choice(_EMOJI) + rng.choice(_EMOJI),
}


def _word(rng: random.Random, style: str) -> str:
    roll = rng.random()
    if style == "gsm_ext" and roll < 0.35:
        return rng.choice(_EXTENSION) + rng.choice(_WORDS)[:4]
    if style == "ucs2" and roll < 0.4:
        return rng.choice(_UCS2_WORDS)
    if style == "emoji" and roll < 0.3:
        return rng.choice(_EMOJI)
    return rng.choice(_WORDS)


def _chunk(rng: random.Random, tok: str, style: str) -> str:
    words = [tok]
    while True:
        word = _word(rng, style)
        if len(" ".join([*words, word])) > CHUNK_MAX:
            return " ".join(words)
        words.append(word)


def compose(rng: random.Random, tok: str, style: str, chunks: int) -> str:
    """A text of `chunks` token-led chunks in the style; every SMS part holds a token."""
    pieces = [_chunk(rng, tok, style) for _ in range(max(1, chunks))]
    pieces[0] = f"{tok} {_SIGNATURE[style](rng)}"  # the style shows even in a short text
    text = " ".join(pieces)
    for _ in range(3):  # only the last part can be a short tail without a whole token
        if tok in split_text(text).parts[-1]:
            break
        text += " " + tok
    missing = [part for part in split_text(text).parts if tok not in part]
    if missing:  # cannot happen with CHUNK_MAX well under a part: a harness bug
        raise AssertionError(f"a part of {text!r} carries no token: {missing}")
    return text


def chunks_for(rng: random.Random, style: str, multipart: bool) -> int:
    """How many chunks make a single part or 2-4 parts in this style."""
    per_part = 3 if style in ("ucs2", "emoji") else 6
    if not multipart:
        return rng.randint(1, per_part - 1)
    return rng.randint(per_part + 1, per_part * 4 - 1)


def parts_of(text: str) -> list[str]:
    return list(split_text(text).parts)


def undecodable(rng: random.Random, number: int) -> str:
    """A raw SC->MS PDU no decoder can read, unique by number."""
    candidates = (f"00FF{number:04X}{rng.randrange(256):02X}AB",
                  f"00040B91{number:04X}",
                  f"0044{number:04X}")
    pdu = rng.choice(candidates)
    if not isinstance(decode_from_sc(pdu), Undecodable):
        raise AssertionError(f"{pdu} decodes: not garbage")
    return pdu


def noise_bytes(rng: random.Random) -> str:
    """Hex of non-UTF-8 garbage on a line of its own (CR LF at the end)."""
    body = b"".join(rng.sample(GARBAGE, rng.randint(1, 3)))
    return (body + b"\r\n").hex()
