"""Bytes from the modem -> lines and "> " prompts, incrementally.

Fed whole, in halves or a byte at a time, it yields the same events. Bytes are
decoded leniently: anything that is not UTF-8 becomes U+FFFD, NULs vanish.
"""

from __future__ import annotations

PROMPT = object()  # the "> " a +CMGS/+CMGW waits for
_LINE_ENDS = b"\r\n"
_LEADING = b"\r\n \x00"


def decode(raw: bytes) -> str:
    return raw.replace(b"\x00", b"").decode("utf-8", errors="replace").strip()


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
        while True:
            start = 0
            while start < len(self._buffer) and self._buffer[start] in _LEADING:
                start += 1
            del self._buffer[:start]
            if self._buffer.startswith(b">"):
                del self._buffer[:1]  # its trailing space is skipped as leading blank
                events.append(PROMPT)
                continue
            end = next((i for i, b in enumerate(self._buffer) if b in _LINE_ENDS), -1)
            if end < 0:
                return events
            line = decode(bytes(self._buffer[:end]))
            del self._buffer[: end + 1]
            if line:
                events.append(line)

    def reset(self) -> None:
        self._buffer.clear()
