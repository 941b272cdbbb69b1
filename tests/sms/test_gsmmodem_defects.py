"""python-gsmmodem-new 0.13.0 `gsmmodem.pdu` defects, each next to our codec.

Each test asserts the library's WRONG behaviour, so a release that fixes it fails here and
tells us the guard may go. The second half of each test shows modemd.sms doing it right.
"""

import json
import sqlite3
from pathlib import Path

import pytest
from gsmmodem import pdu as gsmpdu

from modemd.sms import (
    Address,
    Encoding,
    Undecodable,
    decode_from_ms,
    decode_from_sc,
    encode_submit,
    split_text,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pdus"
VECTORS = {
    vector["name"]: vector
    for path in FIXTURES.glob("*.json")
    for vector in json.loads(path.read_text(encoding="utf-8"))
}
NUMBER = "+15551234567"


def vector_pdu(name: str) -> str:
    return VECTORS[name]["pdu"]


def test_backtick_sits_where_section_sign_belongs() -> None:
    assert gsmpdu.GSM7_BASIC[0x5F] == "`"
    assert gsmpdu.encodeGsm7("`") == bytearray([0x5F])  # sends a § to the recipient
    with pytest.raises(ValueError):
        gsmpdu.encodeGsm7("§")
    assert gsmpdu.decodeSmsPdu(vector_pdu("gsm7-section-sign"))["text"].startswith("` 4 Abs")

    assert split_text("§").encoding is Encoding.GSM7
    assert split_text("`").encoding is Encoding.UCS2
    assert decode_from_sc(vector_pdu("gsm7-section-sign")).text.startswith("§ 4 Abs")


def test_y_diaeresis_raises_type_error_instead_of_falling_back_to_ucs2() -> None:
    with pytest.raises(TypeError):
        gsmpdu.encodeSmsSubmitPdu(NUMBER, "ÿ")

    (part,) = encode_submit(NUMBER, "ÿ")
    assert decode_from_ms(part.pdu).user_data.encoding is Encoding.UCS2
    assert decode_from_ms(part.pdu).text == "ÿ"


def test_emoji_cannot_be_encoded() -> None:
    with pytest.raises(ValueError):
        gsmpdu.encodeSmsSubmitPdu(NUMBER, "hi 😀")

    (part,) = encode_submit(NUMBER, "hi 😀")
    assert decode_from_ms(part.pdu).text == "hi 😀"


def test_emoji_decode_to_surrogates_that_sqlite_cannot_store() -> None:
    pdu = vector_pdu("emoji-surrogate-pairs-newfoundland-tz")
    theirs = gsmpdu.decodeSmsPdu(pdu)["text"]
    assert "\ud83d" in theirs
    with pytest.raises(UnicodeEncodeError):
        sqlite3.connect(":memory:").execute("SELECT ?", (theirs,))

    ours = decode_from_sc(pdu).text
    assert ours == "On my way 😀👍"
    assert sqlite3.connect(":memory:").execute("SELECT ?", (ours,)).fetchone() == (ours,)


def test_gsm7_part_with_16bit_reference_loses_its_first_character() -> None:
    pdu = vector_pdu("gsm7-16bit-ref-1-of-2")
    ours = decode_from_sc(pdu)
    assert ours.concat is not None and ours.concat.wide
    assert gsmpdu.decodeSmsPdu(pdu)["text"] == ours.text[1:]
    assert ours.text.startswith("Wide reference test.")


def test_reference_above_255_crashes_the_encoder() -> None:
    with pytest.raises(ValueError):
        gsmpdu.encodeSmsSubmitPdu(NUMBER, "x" * 200, reference=300)

    parts = encode_submit(NUMBER, "x" * 200, reference=300, wide_reference=True)
    assert [decode_from_ms(part.pdu).concat.reference for part in parts] == [300, 300]


@pytest.mark.parametrize(("name", "expected"), [
    ("dcs-48", "Grüße ☂"),
    ("dcs-e0", "Voicemail ✉"),
    ("dcs-f4", "0102FF7E"),
])
def test_only_the_00xx_coding_group_is_understood(name: str, expected: str) -> None:
    pdu = vector_pdu(name)
    assert gsmpdu.decodeSmsPdu(pdu)["text"] != expected  # read as GSM-7: garbage

    assert decode_from_sc(pdu).text == expected


def test_garbage_and_truncated_pdus_raise_foreign_exceptions() -> None:
    hello = vector_pdu("dreamfabric-hellohello")
    with pytest.raises(StopIteration):
        gsmpdu.decodeSmsPdu("00")
    with pytest.raises(StopIteration):
        gsmpdu.decodeSmsPdu(hello[:30])
    with pytest.raises(ValueError):  # month 13
        gsmpdu.decodeSmsPdu(hello.replace("99309251619580", "99319251619580"))

    assert isinstance(decode_from_sc("00"), Undecodable)
    assert "truncated" in decode_from_sc(hello[:30]).reason
    bad_month = decode_from_sc(hello.replace("99309251619580", "99319251619580"))
    assert bad_month.service_centre_time is None  # the message itself is still readable
    assert bad_month.text == "hellohello"


def test_all_zero_timestamp_raises() -> None:
    pdu = vector_pdu("all-zero-timestamp")
    with pytest.raises(ValueError):
        gsmpdu.decodeSmsPdu(pdu)

    decoded = decode_from_sc(pdu)
    assert decoded.service_centre_time is None
    assert decoded.text == "no clock"


def test_tpdu_length_is_wrong_when_an_smsc_is_given() -> None:
    (theirs,) = gsmpdu.encodeSmsSubmitPdu(NUMBER, "hello", smsc="+15550000000")
    smsc_octets = 1 + theirs.data[0]
    assert smsc_octets == 8
    assert theirs.tpduLength == len(theirs.data) - 1  # counts 7 SMSC octets as TPDU
    assert theirs.tpduLength != len(theirs.data) - smsc_octets

    (ours,) = encode_submit(NUMBER, "hello", smsc="+15550000000")
    assert ours.tpdu_length == len(ours.pdu) // 2 - smsc_octets


def test_a_number_with_spaces_becomes_an_alphanumeric_address() -> None:
    (theirs,) = gsmpdu.encodeSmsSubmitPdu("555 123", "hi")
    assert theirs.data[4] == 0xD0  # TOA of TP-DA: alphanumeric

    assert Address.parse("555 123") == Address("555123", 0x81)
    (ours,) = encode_submit("555 123", "hi")
    assert decode_from_ms(ours.pdu).destination == Address("555123", 0x81)


# Found while building the guards.


def test_final_at_sign_is_dropped_when_septets_fill_the_last_octet() -> None:
    (ours,) = encode_submit(NUMBER, "1234567@")  # 8 septets = 7 full octets
    assert gsmpdu.decodeSmsPdu(ours.pdu)["text"] == "1234567"

    assert decode_from_ms(ours.pdu).text == "1234567@"


def test_form_feed_escape_decodes_to_nothing() -> None:
    # 23.038 extension 0x0A is the page break; gsmmodem put 'ÿ' there (as an int) instead.
    (ours,) = encode_submit(NUMBER, "page\fbreak")
    assert gsmpdu.decodeSmsPdu(ours.pdu)["text"] == "pagebreak"

    assert decode_from_ms(ours.pdu).text == "page\fbreak"


def test_star_and_hash_digits_come_back_as_hex_letters() -> None:
    pdu = vector_pdu("star-hash-originator")
    assert gsmpdu.decodeSmsPdu(pdu)["number"] == "a100b"

    assert decode_from_sc(pdu).originator.number == "*100#"


def test_truncated_user_data_silently_yields_a_shorter_text() -> None:
    pdu = vector_pdu("dreamfabric-hellohello")[:-6]
    assert gsmpdu.decodeSmsPdu(pdu)["text"] == "helloh"  # no error: text silently lost

    assert "TP-UDL 10" in decode_from_sc(pdu).reason


def test_concatenation_reference_is_the_message_reference() -> None:
    # Never reuse TP-MR as the reference. gsmmodem has one `reference` for both.
    first = gsmpdu.encodeSmsSubmitPdu(NUMBER, "x" * 200, reference=7)[0].data
    assert first[2] == 7  # TP-MR
    assert bytes(first).find(bytes([0x05, 0x00, 0x03, 7])) > 0  # concat reference 7

    parts = encode_submit(NUMBER, "x" * 200, message_reference=7, reference=99)
    decoded = decode_from_ms(parts[0].pdu)
    assert (decoded.message_reference, decoded.concat.reference) == (7, 99)
