"""The emulator's control interface: JSON lines over a Unix socket.

Request:  {"op": "inject", "line": "line1", "sender": "+1...", "text": "hi"}
Answer:   {"ok": true, "result": ...}  or  {"ok": false, "error": "what and why"}
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from modemd.emulator.rig import Rig
from modemd.errors import ModemdError

SOCKET_NAME = "control.sock"


def operations(rig: Rig) -> dict[str, Callable[..., Any]]:
    """op name -> callable taking the request's other fields as keyword arguments."""
    return {
        "ping": lambda: "pong",
        "lines": rig.lines,
        "inject": rig.inject,
        "inject_pdu": rig.inject_pdu,
        "urc": rig.urc,
        "raw": lambda line, hex=None, text=None: rig.raw(line, hex=hex, text=text),
        "fault": rig.fault,
        "timing": rig.set_timing,
        "unplug": rig.unplug,
        "replug": rig.replug,
        "reboot": rig.reboot,
        "capacity": rig.set_capacity,
        "reports": rig.set_reports,
        "delays": rig.set_delays,
        "signal": rig.set_signal,
        "submitted": rig.submitted,
        "refused": rig.refused,
        "received": rig.received,
        "outside": rig.outside,
        "transcript": rig.transcript,
        "storage": rig.storage,
    }


def handle(ops: dict[str, Callable[..., Any]], request: dict) -> dict:
    """One request -> one answer; never raises."""
    args = dict(request)
    op = args.pop("op", None)
    if op not in ops:
        return {"ok": False, "error": f"unknown op {op!r}; known: {', '.join(sorted(ops))}"}
    try:
        return {"ok": True, "result": ops[op](**args)}
    except TypeError as error:
        return {"ok": False, "error": f"{op}: bad arguments ({error})"}
    except ModemdError as error:
        return {"ok": False, "error": str(error)}


def answer(ops: dict[str, Callable[..., Any]], raw: bytes) -> dict:
    try:
        request = json.loads(raw)
    except ValueError as error:
        return {"ok": False, "error": f"not JSON: {error}"}
    if not isinstance(request, dict):
        return {"ok": False, "error": "a request is a JSON object with an \"op\""}
    return handle(ops, request)


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        ops = self.server.ops  # type: ignore[attr-defined]
        for raw in self.rfile:
            self.wfile.write(json.dumps(answer(ops, raw)).encode() + b"\n")
            self.wfile.flush()


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


class ControlServer:
    """Serves a rig on DIR/control.sock until closed."""

    def __init__(self, rig: Rig, path: Path) -> None:
        self.path = path
        path.unlink(missing_ok=True)
        self._server = _Server(str(path), _Handler)
        self._server.ops = operations(rig)  # type: ignore[attr-defined]
        os.chmod(path, 0o600)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="emulator-control", daemon=True
        )

    def start(self) -> ControlServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.path.unlink(missing_ok=True)


class ControlClient:
    """Talks to a running `modemd emulator`."""

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout

    def call(self, op: str, **args: Any) -> Any:
        request = {"op": op, **{k: v for k, v in args.items() if v is not None}}
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                sock.connect(str(self.path))
                sock.sendall(json.dumps(request).encode() + b"\n")
                answer = json.loads(sock.makefile("rb").readline() or b"{}")
        except (FileNotFoundError, ConnectionRefusedError) as error:
            raise ModemdError(
                f"no emulator is listening on {self.path}: start one with `modemd emulator` "
                "(same --dir), or pass the --dir it was started with"
            ) from error
        except (OSError, ValueError) as error:
            raise ModemdError(f"the emulator at {self.path} did not answer: {error}") from error
        if not answer.get("ok"):
            raise ModemdError(answer.get("error", "the emulator gave no answer"))
        return answer.get("result")
