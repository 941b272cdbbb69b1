"""Bytes from the modem -> lines and "> " prompts, incrementally.

Fed whole, in halves or a byte at a time, it yields the same events. Bytes are
decoded leniently: anything that is not UTF-8 becomes U+FFFD, NULs vanish.
CR, LF and CR CR LF all end a line; blank lines vanish.
"""

from __future__ import annotations

from modemd.errors import InvalidInputError

PROMPT = object()  # the "> " a +CMGS/+CMGW waits for
MAX_LINE = 4096  # longer is noise (a PDU line is < 400): cut it so the buffer stays bounded
_LEADING = frozenset(b"\r\n \x00")


def decode(raw: bytes) -> str:
    return raw.replace(b"\x00", b"").decode("utf-8", errors="replace").strip()


def encode(text: str) -> bytes:
    """Command or PDU text -> bytes; refused before anything is written if not Latin-1."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError as error:
        raise InvalidInputError(f"AT text must be Latin-1 (PDU mode sends hex): {text!r}; "
                                f"{error.reason}") from error


class LineSplitter:
    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def pending(self) -> bytes:
        """A partial line not yet ended (for diagnostics)."""
        return bytes(self._buffer)

    def feed(self, data: bytes) -> list[object]:
        """Lines (str) and PROMPT markers completed by `data`."""
        self._buffer += data
        events: list[object] = []
        while self._skip_blanks():
            if self._buffer[0] == ord(">"):
                del self._buffer[:1]  # its trailing space is skipped as a leading blank
                events.append(PROMPT)
                continue
            end = self._line_end()
            if end < 0:
                break
            line = decode(bytes(self._buffer[:end]))
            del self._buffer[:end]  # the end byte itself goes as a leading blank
            if line:
                events.append(line)
        return events

    def _skip_blanks(self) -> bool:
        """Drop blanks before a line; True if anything is left."""
        start = 0
        while start < len(self._buffer) and self._buffer[start] in _LEADING:
            start += 1
        del self._buffer[:start]
        return bool(self._buffer)

    def _line_end(self) -> int:
        """Where the current line ends (cut at MAX_LINE, however it was fed); -1: not yet."""
        found = [i for i in (self._buffer.find(b"\r", 0, MAX_LINE),
                             self._buffer.find(b"\n", 0, MAX_LINE)) if i >= 0]
        if found:
            return min(found)
        return MAX_LINE if len(self._buffer) >= MAX_LINE else -1

    def reset(self) -> None:
        self._buffer.clear()
