"""TP-Data-Coding-Scheme (TS 23.038 clause 4): every coding group, not just 00xx."""

from dataclasses import dataclass
from enum import StrEnum


class Encoding(StrEnum):
    """How the user data is coded."""

    GSM7 = "gsm7"
    UCS2 = "ucs2"
    DATA8 = "8bit"


@dataclass(frozen=True)
class DataCoding:
    """What a DCS octet says about the user data."""

    encoding: Encoding
    message_class: int | None
    compressed: bool


# Alphabet bits (3..2) of the general groups; 11 is reserved and read as GSM-7 (23.038 clause 4).
_GENERAL_ALPHABETS = (Encoding.GSM7, Encoding.DATA8, Encoding.UCS2, Encoding.GSM7)

# The DCS we send for text: general group, no class, uncompressed.
DCS_FOR = {Encoding.GSM7: 0x00, Encoding.DATA8: 0x04, Encoding.UCS2: 0x08}


def parse_dcs(octet: int) -> DataCoding:
    """Decode a DCS octet. Never raises; reserved groups read as GSM-7 as 23.038 requires."""
    group = octet >> 4
    if group <= 0b0111:  # 00xx general, 01xx automatic deletion: same layout
        message_class = octet & 0x03 if octet & 0x10 else None
        return DataCoding(_GENERAL_ALPHABETS[(octet >> 2) & 0x03], message_class,
                          bool(octet & 0x20))
    if group == 0b1111:  # data coding / message class: bit 2 picks 8-bit over GSM-7
        encoding = Encoding.DATA8 if octet & 0x04 else Encoding.GSM7
        return DataCoding(encoding, octet & 0x03, compressed=False)
    if group == 0b1110:  # message waiting indication, store, UCS-2 text
        return DataCoding(Encoding.UCS2, None, compressed=False)
    # 1100/1101 message waiting (discard/store) GSM-7, and reserved 1000-1011.
    return DataCoding(Encoding.GSM7, None, compressed=False)
