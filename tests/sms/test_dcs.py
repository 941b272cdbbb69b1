"""TP-DCS: every coding group of TS 23.038 clause 4."""

import pytest

from modemd.sms.dcs import DataCoding, Encoding, parse_dcs

GSM7, UCS2, DATA8 = Encoding.GSM7, Encoding.UCS2, Encoding.DATA8


@pytest.mark.parametrize(("octet", "expected"), [
    (0x00, DataCoding(GSM7, None, False)),
    (0x03, DataCoding(GSM7, None, False)),  # class bits without bit 4 mean nothing
    (0x04, DataCoding(DATA8, None, False)),
    (0x08, DataCoding(UCS2, None, False)),
    (0x0C, DataCoding(GSM7, None, False)),  # reserved alphabet: assume GSM-7
    (0x10, DataCoding(GSM7, 0, False)),  # flash
    (0x12, DataCoding(GSM7, 2, False)),  # SIM-specific
    (0x18, DataCoding(UCS2, 0, False)),
    (0x20, DataCoding(GSM7, None, True)),  # compressed
    (0x40, DataCoding(GSM7, None, False)),  # automatic deletion group
    (0x48, DataCoding(UCS2, None, False)),
    (0x56, DataCoding(DATA8, 2, False)),
    (0x80, DataCoding(GSM7, None, False)),  # reserved groups 1000-1011: GSM-7
    (0x90, DataCoding(GSM7, None, False)),
    (0xB4, DataCoding(GSM7, None, False)),
    (0xC0, DataCoding(GSM7, None, False)),  # MWI discard
    (0xC8, DataCoding(GSM7, None, False)),
    (0xD3, DataCoding(GSM7, None, False)),  # MWI store
    (0xE0, DataCoding(UCS2, None, False)),  # MWI store UCS-2
    (0xF0, DataCoding(GSM7, 0, False)),
    (0xF4, DataCoding(DATA8, 0, False)),
    (0xF7, DataCoding(DATA8, 3, False)),
])
def test_groups(octet: int, expected: DataCoding) -> None:
    assert parse_dcs(octet) == expected


def test_every_octet_has_a_reading() -> None:
    for octet in range(256):
        coding = parse_dcs(octet)
        assert coding.message_class in {None, 0, 1, 2, 3}
        assert coding.compressed == (octet >> 6 in (0, 1) and bool(octet & 0x20))
