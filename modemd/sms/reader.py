"""A bounds-checked cursor over PDU octets: running out is a reason, never an IndexError."""

from modemd.errors import ModemdError


class MalformedPduError(ModemdError):
    """A PDU that cannot be decoded, e.g. truncated or with a length that lies.

    Never leaves the sms package: decode_from_sc/decode_from_ms turn it into Undecodable.
    """


class Reader:
    """Reads octets in order and names the field that ran short."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.position = 0

    def octet(self, field: str) -> int:
        return self.take(1, field)[0]

    def take(self, count: int, field: str) -> bytes:
        end = self.position + count
        if end > len(self._data):
            raise MalformedPduError(
                f"truncated: {field} needs {count} octet(s) at offset {self.position}, "
                f"only {len(self._data) - self.position} left"
            )
        chunk = self._data[self.position:end]
        self.position = end
        return chunk

    def rest(self) -> bytes:
        chunk = self._data[self.position:]
        self.position = len(self._data)
        return chunk
