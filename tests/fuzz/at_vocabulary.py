"""What modems say, as data for the AT fuzz: URCs, answers, final results and garbage.

Every well-formed item carries what it must become (the Urc, the answer line, the
error type and code), written out by hand from 27.007/27.005 and the vendor profiles in
fixtures/profiles, so the oracle never asks modemd how to read a line.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from modemd.at import AtError, CmeError, CmsError, CommandError, Urc
from modemd.at.results import URC_TRAILING

DELIVER_PDU = "07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37"
REPORT_PDU = "0006D60B911326880736F4111011719551401110117195714000"


@dataclass(frozen=True)
class UrcItem:
    wire: str
    urc: Urc  # what it must be delivered as

    @property
    def trailing(self) -> bool:
        """+CMT/+CDS/+CBM: the next line is its PDU."""
        return self.urc.payload is not None


def _trailed(wire: str, name: str, value: str, pdu: str) -> UrcItem:
    return UrcItem(wire, Urc(name, value, pdu))


URCS: tuple[UrcItem, ...] = (
    *(UrcItem(f'+CMTI: "{mem}",{n}', Urc("+CMTI", f'"{mem}",{n}'))
      for mem, n in (("SM", 1), ("SM", 29), ("ME", 0), ("MT", 7))),
    UrcItem('+CDSI: "SR",3', Urc("+CDSI", '"SR",3')),
    _trailed("+CMT: ,36", "+CMT", ",36", DELIVER_PDU),
    _trailed('+CMT: "",36', "+CMT", '"",36', DELIVER_PDU),
    _trailed("+CDS: 25", "+CDS", "25", REPORT_PDU),
    _trailed("+CBM: 88", "+CBM", "88", "0011" * 22),
    UrcItem("+CREG: 5", Urc("+CREG", "5")),
    UrcItem('+CREG: 1,"00C3","1A2B"', Urc("+CREG", '1,"00C3","1A2B"')),
    UrcItem("+CGREG: 1", Urc("+CGREG", "1")),
    UrcItem("+CEREG: 0", Urc("+CEREG", "0")),
    UrcItem("+CPIN: READY", Urc("+CPIN", "READY")),
    UrcItem("+CFUN: 1", Urc("+CFUN", "1")),
    UrcItem("+QIND: SMS DONE", Urc("+QIND", "SMS DONE")),
    UrcItem("+QUSIM: 1", Urc("+QUSIM", "1")),
    UrcItem("+CIEV: 1,5", Urc("+CIEV", "1,5")),
    UrcItem('+CUSD: 0,"Balance 5.00",15', Urc("+CUSD", '0,"Balance 5.00",15')),
    UrcItem('+CLIP: "+12015550101",145', Urc("+CLIP", '"+12015550101",145')),
    UrcItem("+CRING: VOICE", Urc("+CRING", "VOICE")),
    UrcItem("+WIND: 4", Urc("+WIND", "4")),  # wavecom (fixtures/profiles/wavecom.toml)
    UrcItem("^RSSI:18", Urc("^RSSI", "18")),
    UrcItem("^RSSI: 99", Urc("^RSSI", "99")),
    UrcItem("^BOOT:12345678,0,0,0,75", Urc("^BOOT", "12345678,0,0,0,75")),
    UrcItem("^MODE:5,4", Urc("^MODE", "5,4")),
    UrcItem("^SRVST:2", Urc("^SRVST", "2")),
    UrcItem('^HCSQ:"LTE",50,42,120,20', Urc("^HCSQ", '"LTE",50,42,120,20')),
    UrcItem('^SMMEMFULL:"SM"', Urc("^SMMEMFULL", '"SM"')),
    UrcItem("^SYSSTART", Urc("^SYSSTART", "^SYSSTART")),
    UrcItem("RING", Urc("RING", "RING")),
    UrcItem("RDY", Urc("RDY", "RDY")),
    UrcItem("Call Ready", Urc("CALL READY", "Call Ready")),
    UrcItem("SMS Ready", Urc("SMS READY", "SMS Ready")),
    UrcItem("+PBREADY", Urc("+PBREADY", "+PBREADY")),
)


@dataclass(frozen=True)
class Final:
    wire: str
    error: type[AtError] | None  # None: OK
    code: int | None = None  # CmeError/CmsError .code; -1 for a text no table knows


FINALS: tuple[Final, ...] = (
    *(Final("OK", None),) * 6,
    Final("ERROR", CommandError), Final("COMMAND NOT SUPPORT", CommandError),
    Final("TOO MANY PARAMETERS", CommandError), Final("NO CARRIER", CommandError),
    Final("+CME ERROR: 10", CmeError, 10), Final("+CME ERROR: 16", CmeError, 16),
    Final("+CMS ERROR: 42", CmsError, 42), Final("+CMS ERROR: 330", CmsError, 330),
    Final("+CMS ERROR:331", CmsError, 331), Final("+CMS ERROR: 500", CmsError, 500),
    Final("+cms error: 304", CmsError, 304),
    Final("+CME ERROR: SIM not inserted", CmeError, 10),  # AT+CMEE=2
    Final("+CMS ERROR: network timeout", CmsError, 332),
    Final("+CME ERROR: vendor says no", CmeError, -1),
    # Only ASCII digits are a code; anything else is text no table knows.
    Final("+CMS ERROR: \u00b2", CmsError, -1), Final("+CME ERROR: \uff15", CmeError, -1),
    Final("+CMS ERROR: 4\u0662", CmsError, -1),
)
ERROR_FINALS = tuple(final for final in FINALS if final.error is not None)
PROMPT_ERRORS = (Final("+CMS ERROR: 304", CmsError, 304), Final("ERROR", CommandError),
                 Final("+CMS ERROR: 331", CmsError, 331))


@dataclass(frozen=True)
class Shape:
    """A command as the driver sends it and the lines a modem answers it with."""

    text: str
    expect: str | None = None
    info: tuple[bytes, ...] = ()
    payload: str | None = None  # a "> " command: the PDU written after the prompt
    result: bytes = b""  # the line after the payload (+CMGS: 17)


SUBMIT_PDU = "0011000B911326880736F40000AA0AE8329BFD4697D9EC37"
SHAPES: tuple[Shape, ...] = (
    Shape("AT+CSQ", "+CSQ", (b"+CSQ: 20,99",)),
    Shape("AT+CGSN", None, (b"350000000000014",)),
    Shape("AT+CREG?", "+CREG", (b"+CREG: 0,1",)),
    Shape("AT+CPIN?", "+CPIN", (b"+CPIN: READY",)),
    Shape("AT+CFUN?", "+CFUN", (b"+CFUN: 1",)),
    Shape("AT+CPMS?", None, (b'+CPMS: "SM",1,30,"SM",1,30,"SM",1,30',)),
    Shape("AT+COPS?", "+COPS", ('+COPS: 0,0,"Télé 2"'.encode(),)),
    Shape("ATI", None, (b"Quectel", b"EC25", b"Revision: EC25\xe9\xffFAR06A03M4G")),
    Shape("AT+CMGL=4", "+CMGL", (b"+CMGL: 1,1,,36", DELIVER_PDU.encode(),
                                 b"+CMGL: 2,0,,25", REPORT_PDU.encode())),
    Shape("AT+CMGR=3", "+CMGR", (b"+CMGR: 1,,36", DELIVER_PDU.encode())),
    Shape("AT+CMGD=1"),
    Shape("ATS3?", None, (b"013",)),
    Shape("AT+CNMI=2,1,0,2,0"),
    Shape("AT+CMGS=23", payload=SUBMIT_PDU, result=b"+CMGS: 17"),
    Shape("AT+CMGW=23", payload=SUBMIT_PDU, result=b"+CMGW: 4"),
)
EXTRA_INFO = (b"+CSQ: 31,0", b"+CMGS: 255", b'+CSCA: "+15550000000",145',
              "é \u2013 ü".encode(), b"\xc3\x28 half a character", b"OK then", b"ERRORS: 0")

# Garbage: bytes a noisy line makes, plus tokens that look like the real thing.
_LOOKALIKES = ("\u00b2", "\uff15", "\u0661\u0662", "é", "€", "\u00a0", "\ufeff", "\u2028",
               "\U0001f642", "OK", "ERROR", "+CME", "+CMS ERROR", "RING", "+CMTI", ":", ",", '"',
               "+", "^", "> ", "AT")
_TOKENS = (*(token.encode() for token in _LOOKALIKES),
           b"\x1a", b"\x1b", b"\x00", b"\xff\xfe", b"\xc3", b"\xe2\x82")
_NOT_LINE_ENDS = bytes(b for b in range(256) if b not in b"\r\n")
_CODED = re.compile(r"^\+(CME|CMS) ERROR:", re.IGNORECASE)
_ERROR_WORDS = frozenset({"ERROR", "NO CARRIER", "COMMAND NOT SUPPORT", "TOO MANY PARAMETERS",
                          "NO DIALTONE", "BUSY", "NO ANSWER"})


def raw_garbage(rng: random.Random) -> bytes:
    """1-24 pieces of noise: any byte but CR/LF, or a token that resembles a real line."""
    out = bytearray()
    for _ in range(rng.randint(1, 24)):
        roll = rng.random()
        if roll < 0.35:
            out.append(rng.randint(0x20, 0x7E))
        elif roll < 0.6:
            out.append(rng.choice(_NOT_LINE_ENDS))
        else:
            out += rng.choice(_TOKENS)
    return bytes(out)


def text_of(raw: bytes) -> str:
    """A line as 27.007 says it reads: NULs gone, non-UTF-8 as U+FFFD, trimmed."""
    return raw.replace(b"\x00", b"").decode("utf-8", "replace").strip()


def is_final(text: str) -> bool:
    return text == "OK" or text.upper() in _ERROR_WORDS or _CODED.match(text) is not None


def name_of(text: str) -> str:
    return (text.split(":", 1)[0] if ":" in text else text).strip().upper()


def unsolicited(text: str) -> Urc:
    """What an unknown line outside any command is delivered as."""
    value = text.split(":", 1)[1].strip() if ":" in text else text.strip()
    return Urc(name_of(text), value)


# Near misses, whole lines: what a parser that is too lenient takes for the real thing.
NEAR_MISSES = tuple(line.encode() for line in (
    "\u00b2", "\u0661\u0662", "\uff10\uff11\uff13", "1\u00b2", "ok", "Ok", "O K", "OK.",
    "ERRO", "+CME ERROR", "+CMS ERR: 5", "CMTI: 1", "+CMTI\u00a0x", "RING RING", "0x13"))


def garbage(rng: random.Random, shape: Shape | None) -> tuple[bytes, str]:
    """Noise that must stay noise: never a final result, URC, prompt or echo of shape."""
    while True:
        raw = rng.choice(NEAR_MISSES) if rng.random() < 0.1 else raw_garbage(rng)
        text = text_of(raw)
        if text and not _looks_real(raw, text, shape):
            return raw, text


def _looks_real(raw: bytes, text: str, shape: Shape | None) -> bool:
    if raw.lstrip(b" \x00").startswith(b">") or is_final(text) or name_of(text) in URC_TRAILING:
        return True
    if text.isascii() and text.isdigit() and len(text) <= 3:
        return True  # an S-register value: what proves a resync (ATS3? -> 013)
    if shape is None:
        return False
    echo = text.lstrip("\x1b").upper()
    return echo == shape.text.upper() or (
        shape.payload is not None and echo.rstrip("\x1a") == shape.payload.upper())


MAX_LINE = 4096  # the splitter cuts a line this long (a runaway PDU)
_HEX_DIGITS = bytes(b"0123456789ABCDEF"[value % 16] for value in range(256))  # translate table


def long_line(rng: random.Random) -> tuple[bytes, list[str]]:
    """A hex run longer than MAX_LINE and the lines it must be cut into."""
    raw = rng.randbytes(MAX_LINE + rng.randint(10, 900)).translate(_HEX_DIGITS)
    pieces = [raw[at:at + MAX_LINE].decode() for at in range(0, len(raw), MAX_LINE)]
    return raw, pieces
