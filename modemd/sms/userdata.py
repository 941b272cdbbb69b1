"""TP-User-Data (TS 23.040 clause 9.2.3.24): UDH, fill bits, GSM-7 / UCS-2 / 8-bit payloads."""

from dataclasses import dataclass

from modemd.errors import InvalidInputError
from modemd.sms.alphabet import decode_gsm7, encode_gsm7
from modemd.sms.dcs import DCS_FOR, Encoding, parse_dcs
from modemd.sms.reader import MalformedPduError
from modemd.sms.septets import pack_septets, packed_length, unpack_septets

MAX_OCTETS = 140
MAX_SEPTETS = 160
IEI_CONCAT_8BIT = 0x00
IEI_CONCAT_16BIT = 0x08


@dataclass(frozen=True)
class Concat:
    """Concatenated-message IE: this part's place in a long message."""

    reference: int
    total: int
    sequence: int
    wide: bool

    def __post_init__(self) -> None:
        limit = 0xFFFF if self.wide else 0xFF
        if not 0 <= self.reference <= limit:
            raise InvalidInputError(
                f"concatenation reference {self.reference} is out of range 0-{limit}; "
                "use wide=True for 16-bit references"
            )
        if not 1 <= self.sequence <= self.total <= 255:
            raise InvalidInputError(
                f"part {self.sequence} of {self.total} is impossible: need "
                "1 <= sequence <= total <= 255"
            )

    def header(self) -> bytes:
        """The IE as carried: IEI, length, data."""
        if self.wide:
            return bytes([IEI_CONCAT_16BIT, 4, self.reference >> 8, self.reference & 0xFF,
                          self.total, self.sequence])
        return bytes([IEI_CONCAT_8BIT, 3, self.reference, self.total, self.sequence])


@dataclass(frozen=True)
class UserData:
    """User data as carried, plus its decoded text."""

    data_coding: int
    encoding: Encoding
    header: bytes
    text: str
    length: int
    payload: bytes
    message_class: int | None

    @property
    def concat(self) -> Concat | None:
        """The last well-formed concatenation IE in the header, None if absent or malformed."""
        found = None
        for iei, data in information_elements(self.header):
            found = _concat_from(iei, data) or found
        return found


def information_elements(header: bytes) -> list[tuple[int, bytes]]:
    """Split a UDH into (IEI, data); an IE that overruns the header ends the list."""
    elements = []
    position = 0
    while position + 2 <= len(header):
        iei, size = header[position], header[position + 1]
        data = header[position + 2:position + 2 + size]
        if len(data) < size:
            break
        elements.append((iei, data))
        position += 2 + size
    return elements


def _concat_from(iei: int, data: bytes) -> Concat | None:
    if iei == IEI_CONCAT_8BIT and len(data) == 3:
        reference, total, sequence, wide = data[0], data[1], data[2], False
    elif iei == IEI_CONCAT_16BIT and len(data) == 4:
        reference, total, sequence, wide = data[0] << 8 | data[1], data[2], data[3], True
    else:
        return None
    # 23.040: a total of 0, or a sequence of 0 or beyond the total, means ignore the IE.
    if not 1 <= sequence <= total:
        return None
    return Concat(reference, total, sequence, wide)


def build_user_data(text: str, encoding: Encoding, concat: Concat | None) -> UserData:
    """Encode one part's text (GSM-7 or UCS-2) with an optional concatenation header."""
    header = concat.header() if concat else b""
    udh = bytes([len(header)]) + header if header else b""
    if encoding is Encoding.GSM7:
        septets = encode_gsm7(text)
        # Fill bits so the text starts on a septet boundary after the UDH.
        header_septets = (8 * len(udh) + 6) // 7
        fill_bits = 7 * header_septets - 8 * len(udh)
        payload = udh + pack_septets(septets, fill_bits)
        length = header_septets + len(septets)
        fits = length <= MAX_SEPTETS
    elif encoding is Encoding.UCS2:
        payload = udh + _encode_ucs2(text)
        length = len(payload)
        fits = length <= MAX_OCTETS
    else:
        raise InvalidInputError(f"text cannot be encoded as {encoding.value}; use GSM7 or UCS2")
    if not fits:
        raise InvalidInputError(
            f"part text of {len(text)} characters does not fit one SMS; split it with split_text"
        )
    return UserData(DCS_FOR[encoding], encoding, header, text, length, payload, None)


def _encode_ucs2(text: str) -> bytes:
    try:
        return text.encode("utf-16-be")  # non-BMP characters become surrogate pairs
    except UnicodeEncodeError as exc:
        raise InvalidInputError(
            f"text contains a lone surrogate at position {exc.start}; it is not a character "
            "and cannot be sent; remove it"
        ) from exc


def parse_user_data(data_coding: int, has_header: bool, length: int, rest: bytes) -> UserData:
    """Decode TP-UD given TP-DCS, TP-UDHI and TP-UDL; raises MalformedPduError."""
    coding = parse_dcs(data_coding)
    if coding.compressed:
        raise MalformedPduError(
            f"TP-DCS 0x{data_coding:02X} marks the text as compressed (TS 23.042), "
            "which is not supported"
        )
    gsm7 = coding.encoding is Encoding.GSM7
    octets = packed_length(length) if gsm7 else length
    if length > (MAX_SEPTETS if gsm7 else MAX_OCTETS):
        raise MalformedPduError(f"TP-UDL {length} exceeds the maximum for {coding.encoding.value}")
    if len(rest) < octets:
        raise MalformedPduError(
            f"TP-UDL {length} needs {octets} octet(s) of user data, only {len(rest)} present"
        )
    payload = rest[:octets]  # octets past TP-UDL are padding some modems add: ignored
    header = _header_of(payload) if has_header else b""
    body_start = len(header) + 1 if has_header else 0
    if gsm7:
        text = _decode_gsm7_body(payload, length, body_start)
    elif coding.encoding is Encoding.UCS2:
        text = decode_ucs2(payload[body_start:])
    else:
        text = payload[body_start:].hex().upper()
    return UserData(data_coding, coding.encoding, header, text, length, payload,
                    coding.message_class)


def _header_of(payload: bytes) -> bytes:
    if not payload:
        raise MalformedPduError("TP-UDHI is set but the user data is empty")
    header = payload[1:1 + payload[0]]
    if len(header) < payload[0]:
        raise MalformedPduError(
            f"UDH length {payload[0]} overruns the {len(payload)} octet(s) of user data"
        )
    return header


def _decode_gsm7_body(payload: bytes, length: int, body_start: int) -> str:
    header_septets = (8 * body_start + 6) // 7  # UDH plus its fill bits, in septets
    if header_septets > length:
        raise MalformedPduError(f"TP-UDL {length} septets is shorter than the UDH")
    return decode_gsm7(unpack_septets(payload, length)[header_septets:])


def decode_ucs2(data: bytes) -> str:
    """UTF-16BE with surrogate pairs joined; lone surrogates and an odd last octet -> U+FFFD."""
    even = len(data) - len(data) % 2
    text = data[:even].decode("utf-16-be", errors="replace")
    return text + ("\ufffd" if len(data) % 2 else "")
