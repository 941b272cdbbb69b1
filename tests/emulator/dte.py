"""A DTE for byte-level tests of the emulator, written independently of any driver code.

The Dte here knows only what a test needs: write bytes, read bytes with a deadline,
and recognise a final result code. It never imports modemd.at, modemd.modem or any
other driver layer, so a parser bug in the driver cannot hide a bug here.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
import serial

from modemd.emulator.profiles import PROFILE_PACKAGE
from modemd.emulator.rig import Rig
from modemd.emulator.spec import LineSpec
from modemd.sms import OutboundPdu, encode_submit

CTRL_Z, ESC = b"\x1a", b"\x1b"
POLL = 0.01

# A final result code (verbose), or the "> " prompt, anywhere in what was read.
FINAL = re.compile(
    rb"(\r\r?\n(OK|ERROR|NO CARRIER|COMMAND NOT SUPPORT|\+CM[ES] ERROR: [^\r\n]*)\r\r?\n"
    rb"|\r\r?\n> )"
)


def wait_for(condition: Callable[[], object], timeout: float = 3.0, what: str = "") -> object:
    """Poll condition until it is truthy; fail the test at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(POLL)


class Dte:
    """The terminal side of one emulated line: bytes out, bytes in, with deadlines."""

    def __init__(self, port: serial.SerialBase, name: str, rig: Rig) -> None:
        self.port = port
        self.name = name
        self.rig = rig
        self.buffer = bytearray()

    # ---- raw bytes ----------------------------------------------------------------

    def write(self, data: bytes | str) -> None:
        self.port.write(data.encode("latin-1") if isinstance(data, str) else data)

    def _pull(self, timeout: float) -> None:
        """Read what is there (waiting at most timeout for the first byte)."""
        self.port.timeout = max(timeout, 0.001)
        chunk = self.port.read(max(1, self.port.in_waiting))
        self.buffer += chunk

    def _take(self, end: int) -> bytes:
        data = bytes(self.buffer[:end])
        del self.buffer[:end]
        return data

    def read_until(self, pattern: bytes | re.Pattern[bytes], timeout: float = 3.0) -> bytes:
        """Everything up to and including the first match of pattern."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.buffer)
            if match:
                return self._take(match.end())
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"{self.name}: no {regex.pattern!r} within {timeout}s; "
                            f"read {bytes(self.buffer)!r}")
            self._pull(min(remaining, 0.05))

    def expect(self, expected: bytes, timeout: float = 3.0) -> None:
        """The next bytes are exactly expected."""
        deadline = time.monotonic() + timeout
        while len(self.buffer) < len(expected) and time.monotonic() < deadline:
            self._pull(min(deadline - time.monotonic(), 0.05))
        got = self._take(len(expected))
        assert got == expected, f"{self.name}: expected {expected!r}, got {got!r}"

    def read_for(self, seconds: float) -> bytes:
        """Everything that arrives within seconds (and whatever was already buffered)."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self._pull(min(remaining, 0.05))
        return self._take(len(self.buffer))

    def silent(self, seconds: float = 0.2) -> None:
        """Nothing at all arrives for seconds."""
        data = self.read_for(seconds)
        assert data == b"", f"{self.name}: expected silence, got {data!r}"

    # ---- commands -------------------------------------------------------------------

    def command(self, line: str | bytes, timeout: float = 3.0) -> bytes:
        """Write line + CR; return every byte up to the final result code (or prompt)."""
        self.write((line if isinstance(line, bytes) else line.encode("latin-1")) + b"\r")
        return self.read_until(FINAL, timeout)

    def ok(self, line: str) -> bytes:
        """A command that must end in OK; returns its full answer."""
        answer = self.command(line)
        assert re.search(rb"\r\nOK\r\r?\n$", answer), f"{line!r} answered {answer!r}"
        return answer

    def setup(self, *lines: str) -> None:
        """Echo off, numeric CMEE, then the given commands, each answered OK."""
        self.ok("ATE0")
        self.ok("AT+CMEE=1")
        for line in lines:
            self.ok(line)

    def send_pdu(self, part: OutboundPdu, timeout: float = 3.0) -> bytes:
        """AT+CMGS=<len>, wait for the prompt, the PDU, Ctrl-Z: the answer after the PDU."""
        prompt = self.command(f"AT+CMGS={part.tpdu_length}")
        assert prompt.endswith(b"\r\n> "), f"no prompt: {prompt!r}"
        self.write(part.pdu.encode() + CTRL_Z)
        return self.read_until(FINAL, timeout)

    def send_text(self, number: str, text: str, **options: object) -> list[int]:
        """Every part of text as PDUs; the MRs the modem gave them."""
        mrs = []
        for part in encode_submit(number, text, **options):  # type: ignore[arg-type]
            answer = self.send_pdu(part)
            match = re.search(rb"\+CMGS: (\d+)\r\n\r\nOK\r\n$", answer)
            assert match, f"send failed: {answer!r}"
            mrs.append(int(match.group(1)))
        return mrs

    # ---- state through the rig ------------------------------------------------------

    def describe(self) -> dict:
        return self.rig.describe(self.name)

    def wait_registered(self, stat: int = 1, timeout: float = 3.0) -> None:
        wait_for(lambda: self.describe()["registration"] == stat, timeout,
                 f"{self.name} registration {stat}")

    @property
    def number(self) -> str:
        return self.describe()["number"]


class Bench:
    """A rig plus the DTEs opened on it; everything is closed at the end of the test."""

    def __init__(self, rig: Rig, directory: Path | None) -> None:
        self.rig = rig
        self.directory = directory
        self.ports: list[serial.SerialBase] = []

    def add(self, index: int = 1, **overrides: object) -> str:
        spec = LineSpec.numbered(index, **overrides)
        self.rig.add_line(spec)
        return spec.name

    def open(self, name: str, query: str = "") -> Dte:
        """Open the line's port: fakemodem://NAME[?query] in memory, or its pty link."""
        if self.directory is None:
            url = f"fakemodem://{name}" + (f"?{query}" if query else "")
            port = serial.serial_for_url(url, timeout=0.05)
        else:
            port = serial.Serial(str(self.directory / name), timeout=0.05)
        self.ports.append(port)
        return Dte(port, name, self.rig)

    def line(self, index: int = 1, *, registered: bool = True, **overrides: object) -> Dte:
        """Add line<index>, open its port; by default wait until it is in service."""
        dte = self.open(self.add(index, **overrides))
        if registered and not overrides.get("pin_enabled"):
            dte.wait_registered()
        return dte

    def close(self) -> None:
        for port in self.ports:
            with contextlib.suppress(OSError, serial.SerialException):
                port.close()
        self.rig.close()


def profile_file(tmp_path: Path, base: str, **changes: str) -> str:
    """A copy of a built-in profile TOML with some keys rewritten (values as TOML text)."""
    source = resources.files(PROFILE_PACKAGE) / f"{base}.toml"
    lines = []
    for line in source.read_text().splitlines():
        key = line.split("=", 1)[0].strip()
        lines.append(f"{key} = {changes.pop(key)}" if key in changes else line)
    lines += [f"{key} = {value}" for key, value in changes.items()]
    path = tmp_path / f"{base}-custom.toml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)
