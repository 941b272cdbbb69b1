"""The HTTP API: request -> `AT+CMGS` latency, and events per second to a webhook.

Real processes: `modemd emulator` (1 line, zero delays) and `modemd run` serving the
API on a Unix socket, with one [[webhook]] pointing at a receiver in this process
(http.server, answering 204) and [pace] off (a bench is a lab rig).

* Latency: POST /v1/messages over the socket (http.client, a new connection each
  time, as a script would), then the emulator's transcript gives when AT+CMGS reached
  the modem (time.time() in the emulator; the same machine clock). Between samples
  the daemon is idle (the previous message delivered, then a pause). Target (issue
  10): median <= 20 ms.
* Webhook throughput: a burst of messages queued at once makes three events each
  (queued, sent, delivered); events per second is what the receiver got over the
  time from its first to its last event, every event counted once by its
  X-Modemd-Delivery.

    python bench/api.py [--samples 30] [--burst 100]
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import json
import socket
import threading
import time
from pathlib import Path

from _rig import outside_numbers, rig, run, summary

TARGET_MS = 20.0


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path) -> None:
        super().__init__("localhost", timeout=10)
        self.path = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def post(socket_path: Path, route: str, body: dict) -> dict:
    connection = UnixConnection(socket_path)
    try:
        connection.request("POST", route, json.dumps(body),
                           {"Content-Type": "application/json"})
        answer = connection.getresponse()
        data = json.loads(answer.read() or b"null")
        if answer.status >= 300:
            raise RuntimeError(f"{route}: {answer.status} {data}")
        return data
    finally:
        connection.close()


class Receiver(http.server.ThreadingHTTPServer):
    """Counts each event once (by X-Modemd-Delivery) with the time it arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.arrived.setdefault(self.headers["X-Modemd-Delivery"], time.time())
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


def cmgs_after(running, since: float) -> float | None:
    entries = running.control.call("transcript", line="line1", since=since)
    return next((e["time"] for e in entries if e["dir"] == "rx" and "AT+CMGS" in e["text"]),
                None)


def write_config(folder: Path, receiver: Receiver) -> Path:
    config = folder / "modemd.toml"
    config.write_text(f'api_socket = "{folder / "api.sock"}"\n\n[pace]\nenabled = false\n\n'
                      f'[[webhook]]\nurl = "http://127.0.0.1:{receiver.server_address[1]}/"\n')
    return config


def latency(running, socket_path: Path, to: str, samples: int) -> list[float]:
    results = []
    for i in range(samples):
        time.sleep(0.3)  # idle: the last message's reports are in
        start = time.time()
        sent = post(socket_path, "/v1/messages", {"to": to, "text": f"api {i}"})
        running.wait_for(f"AT+CMGS of message {sent['id']}",
                         lambda s=start: cmgs_after(running, s) is not None, timeout=10)
        results.append((cmgs_after(running, start) - start) * 1000)
    return results


def throughput(socket_path: Path, receiver: Receiver, numbers: list[str],
               burst: int) -> tuple[int, float]:
    time.sleep(1.0)  # the latency samples' last events are in
    before = len(receiver.arrived)
    for i in range(burst):
        post(socket_path, "/v1/messages", {"to": numbers[i % len(numbers)], "text": f"b {i}"})
    wanted = before + 3 * burst
    deadline = time.monotonic() + 120
    while len(receiver.arrived) < wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    times = sorted(receiver.arrived.values())[before:]
    return len(times), len(times) / max(times[-1] - times[0], 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--burst", type=int, default=100)
    args = parser.parse_args()
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    numbers = outside_numbers(10)
    with rig("modemd-bench-api-") as running:
        running.start_emulator(1)
        running.start_daemon(1, "--config", str(write_config(running.folder, receiver)))
        running.wait_lines_ok(1)
        socket_path = running.folder / "api.sock"
        time.sleep(1.0)  # start-up sweep and monitor done: idle
        results = latency(running, socket_path, numbers[0], args.samples)
        count, rate = throughput(socket_path, receiver, numbers, args.burst)
    receiver.shutdown()
    median = sorted(results)[len(results) // 2]
    print(f"API POST /v1/messages -> AT+CMGS, {args.samples} samples: {summary(results)}"
          f"   target median <= {TARGET_MS:g} ms: {'met' if median <= TARGET_MS else 'NOT met'}")
    print(f"webhook: {count} events of {3 * args.burst} expected, {rate:.0f} events/s")


if __name__ == "__main__":
    run(main)
