"""LineSplitter: the same events however the bytes are cut."""

from __future__ import annotations

import pytest

from modemd.at.lines import MAX_LINE, PROMPT, LineSplitter

PDU = "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"

STREAMS = {
    "response": b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n",
    "echo": b"AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n",
    "prompt": b"AT+CMGS=23\r\r\n> ",
    "prompt then urc": b"\r\n> \r\n+CMTI: \"SM\",3\r\n",
    "urc with pdu": f'\r\n+CMT: ,39\r\n{PDU}\r\n'.encode(),
    "huawei line ends": b"\r\r\n^RSSI:18\r\r\n\r\r\nOK\r\r\n",
    "non-utf8": b"\r\n\xff\xfe\x80\r\n\r\nOK\r\n",
    "nul bytes": b"\x00\r\n+CMTI: \"SM\",1\x00\r\n\x00\x00OK\r\n",
    "noise": b"\x00\xff\xfe\x80~\xc3(garbage\x9b\r\n\r\nOK\r\n",
    "split utf8": "\r\n+COPS: 0,0,\"Télé\"\r\n".encode(),
    "bare cr": b"OK\rERROR\n+CME ERROR: 16\r",
}


def whole(data: bytes) -> list[object]:
    return LineSplitter().feed(data)


def in_pieces(*pieces: bytes) -> list[object]:
    splitter = LineSplitter()
    return [event for piece in pieces for event in splitter.feed(piece)]


@pytest.mark.parametrize("data", STREAMS.values(), ids=STREAMS.keys())
def test_halves_at_every_split_point_match_whole(data: bytes) -> None:
    expected = whole(data)
    for cut in range(len(data) + 1):
        assert in_pieces(data[:cut], data[cut:]) == expected, f"cut at {cut}"


@pytest.mark.parametrize("data", STREAMS.values(), ids=STREAMS.keys())
def test_byte_at_a_time_matches_whole(data: bytes) -> None:
    assert in_pieces(*(data[i:i + 1] for i in range(len(data)))) == whole(data)


def test_response_lines_and_final() -> None:
    assert whole(STREAMS["echo"]) == ["AT+CSQ", "+CSQ: 20,99", "OK"]


def test_prompt_is_an_event_and_its_space_is_not_a_line() -> None:
    assert whole(STREAMS["prompt"]) == ["AT+CMGS=23", PROMPT]
    assert whole(STREAMS["prompt then urc"]) == [PROMPT, '+CMTI: "SM",3']


def test_prompt_waits_for_nothing_after_it() -> None:
    """The modem sends "\\r\\n> " and then waits: the prompt must come out at once."""
    splitter = LineSplitter()
    assert splitter.feed(b"\r\n>") == [PROMPT]
    assert splitter.feed(b" ") == []
    assert splitter.pending == b""


def test_urc_with_trailing_pdu_line() -> None:
    assert whole(STREAMS["urc with pdu"]) == ["+CMT: ,39", PDU]


def test_cr_cr_lf_line_ends_make_no_blank_lines() -> None:
    assert whole(STREAMS["huawei line ends"]) == ["^RSSI:18", "OK"]


def test_non_utf8_becomes_replacement_characters() -> None:
    assert whole(STREAMS["non-utf8"]) == ["\ufffd\ufffd\ufffd", "OK"]
    assert whole(STREAMS["noise"]) == ["\ufffd\ufffd\ufffd~\ufffd(garbage\ufffd", "OK"]


def test_nul_bytes_vanish() -> None:
    assert whole(STREAMS["nul bytes"]) == ['+CMTI: "SM",1', "OK"]


def test_utf8_split_across_reads_decodes_whole() -> None:
    data = STREAMS["split utf8"]
    cut = data.index("é".encode()) + 1  # between the two bytes of é
    assert in_pieces(data[:cut], data[cut:]) == ['+COPS: 0,0,"Télé"']


def test_bare_cr_and_bare_lf_end_lines() -> None:
    assert whole(STREAMS["bare cr"]) == ["OK", "ERROR", "+CME ERROR: 16"]


def test_partial_line_waits_and_is_visible() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"\r\n+CMTI: \"SM\"") == []
    assert splitter.pending == b'+CMTI: "SM"'
    assert splitter.feed(b",1\r\n") == ['+CMTI: "SM",1']


def test_reset_forgets_a_partial_line() -> None:
    splitter = LineSplitter()
    splitter.feed(b"garbage without end")
    splitter.reset()
    assert splitter.feed(b"\r\nOK\r\n") == ["OK"]


def test_endless_noise_is_cut_the_same_however_fed() -> None:
    data = b"x" * (2 * MAX_LINE + 10) + b"\r\nOK\r\n"
    expected = whole(data)
    assert expected == ["x" * MAX_LINE, "x" * MAX_LINE, "x" * 10, "OK"]
    assert in_pieces(*(data[i:i + 7] for i in range(0, len(data), 7))) == expected
    splitter = LineSplitter()
    splitter.feed(b"y" * (10 * MAX_LINE))
    assert len(splitter.pending) < MAX_LINE  # the buffer stays bounded
