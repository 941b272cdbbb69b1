"""Property tests: any text survives split -> encode -> decode, both directions, part by part."""

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from modemd.sms import (
    Deliver,
    Encoding,
    Submit,
    decode_from_ms,
    decode_from_sc,
    deliver_user_data,
    encode_deliver,
    encode_submit,
    split_text,
)
from modemd.sms.alphabet import DEFAULT_TABLE, EXTENSION_TABLE, encode_gsm7

GSM7 = "".join(sorted(set(DEFAULT_TABLE.replace("\x1b", "")) | set(EXTENSION_TABLE.values())))
EMOJI = "😀👍🎉📦🇬🇧👩‍💻"
CJK = "你好世界明天见한국어日本語"
# Mostly-GSM texts (so multipart GSM-7 is common), plus everything Unicode has outside Cs.
TEXT = st.one_of(
    st.text(alphabet=GSM7, max_size=700),
    st.text(alphabet=GSM7 + "€" * 20 + "{}", max_size=700),
    st.text(alphabet=st.sampled_from(GSM7 + EMOJI + CJK), max_size=400),
    st.text(max_size=300),
)
NOW = datetime(2025, 9, 1, 8, 30, 0, tzinfo=UTC)


def check_part(text: str, encoding: Encoding) -> None:
    """A part never ends with half an escape or surrogate pair, and fits 140 octets."""
    assert not text or not 0xD800 <= ord(text[-1]) <= 0xDFFF
    if encoding is Encoding.GSM7:
        assert len(encode_gsm7(text)) <= 160
    else:
        assert len(text.encode("utf-16-be")) <= 140


@settings(max_examples=150, deadline=None)
@given(TEXT, st.booleans())
def test_submit_round_trip(text: str, wide: bool) -> None:
    plan = split_text(text, wide_reference=wide)
    parts = encode_submit("+15551234567", text, wide_reference=wide)
    assert [part.text for part in parts] == list(plan.parts)
    assert "".join(plan.parts) == text
    for number, part in enumerate(parts, start=1):
        decoded = decode_from_ms(part.pdu)
        assert isinstance(decoded, Submit), decoded
        assert decoded.text == part.text
        assert decoded.user_data.encoding is plan.encoding
        assert len(decoded.user_data.payload) <= 140
        assert part.tpdu_length == len(part.pdu) // 2 - 1
        check_part(part.text, plan.encoding)
        if len(parts) > 1:
            assert decoded.concat is not None
            assert (decoded.concat.total, decoded.concat.sequence) == (len(parts), number)
            assert decoded.concat.wide is wide
        else:
            assert decoded.concat is None


@settings(max_examples=150, deadline=None)
@given(TEXT, st.booleans())
def test_deliver_round_trip(text: str, wide: bool) -> None:
    parts = deliver_user_data(text, wide_reference=wide)
    assert "".join(part.text for part in parts) == text
    for user_data in parts:
        out = encode_deliver("Google", user_data, timestamp=NOW)
        decoded = decode_from_sc(out.pdu)
        assert isinstance(decoded, Deliver), decoded
        assert decoded.user_data == user_data
        assert decoded.text == user_data.text
        check_part(user_data.text, user_data.encoding)
