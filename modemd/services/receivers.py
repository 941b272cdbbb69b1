"""The two kinds of receiver an event is delivered to: a webhook (an HTTP POST of the
event object) and a hook (a command with the event object on its stdin). Each
deliver() returns when the receiver took the event (2xx, exit 0) and raises Refused
with the reason otherwise; it never touches the store."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from typing import Any

from modemd.config import Hook, Webhook

WEBHOOK_TIMEOUT_SECONDS = 10.0
USER_AGENT = "modemd-webhook"


class Refused(Exception):
    """The receiver did not take the event; str() is what `modemd hooks` shows."""


def body_of(event: dict) -> bytes:
    return json.dumps(event, default=str).encode()


def signature(secret: str, body: bytes) -> str:
    """X-Modemd-Signature: sha256=<hex HMAC-SHA256 of the exact body, keyed by the secret>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is an answer, not an instruction: the event is not POSTed elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# no proxies from the environment either: a webhook goes where its url says
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


class WebhookReceiver:
    def __init__(self, webhook: Webhook, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> None:
        self.webhook = webhook
        self.timeout = timeout
        self.target = webhook.target
        self.events = webhook.events

    def headers(self, event: dict, body: bytes) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   "X-Modemd-Event": str(event.get("event")),
                   "X-Modemd-Delivery": str(event.get("event_id"))}
        if self.webhook.secret:
            headers["X-Modemd-Signature"] = signature(self.webhook.secret, body)
        return headers

    def deliver(self, event: dict) -> None:
        body = body_of(event)
        request = urllib.request.Request(self.webhook.url, data=body, method="POST",
                                         headers=self.headers(event, body))
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                answer.read(65536)  # the answer's body means nothing; read so it closes
                code = answer.status
        except urllib.error.HTTPError as error:
            raise Refused(_http_error(error)) from None
        except urllib.error.URLError as error:
            raise Refused(f"cannot reach {self.webhook.url}: {error.reason}") from None
        except (OSError, http.client.HTTPException) as error:  # timeouts, resets
            raise Refused(f"{self.webhook.url}: {error or type(error).__name__} "
                          f"(timeout {self.timeout:g} s)") from None
        if not 200 <= code < 300:
            raise Refused(f"HTTP {code}: only a 2xx answer counts as delivered")

    def stop(self) -> None:
        """Nothing to end: a POST in flight ends within its timeout."""


def _http_error(error: urllib.error.HTTPError) -> str:
    if 300 <= error.code < 400:
        return (f"HTTP {error.code}: redirect to {error.headers.get('Location')} not followed; "
                "configure the final url")
    return f"HTTP {error.code} {error.reason}"


class HookReceiver:
    """One command run per event, in its own session so a timeout kills all it started."""

    def __init__(self, hook: Hook) -> None:
        self.hook = hook
        self.target = hook.target
        self.events = hook.events
        self._running: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def deliver(self, event: dict) -> None:
        environment = {**os.environ, "MODEMD_EVENT": str(event.get("event")),
                       "MODEMD_DELIVERY": str(event.get("event_id"))}
        try:
            process = subprocess.Popen(list(self.hook.command), stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       env=environment, start_new_session=True)
        except OSError as error:
            raise Refused(f"cannot run {self.hook.command[0]}: {error.strerror or error}") \
                from None
        with self._lock:
            self._running = process
        try:
            _, errors = self._wait(process, body_of(event))
        finally:
            with self._lock:
                self._running = None
        if process.returncode != 0:
            first = (errors.decode(errors="replace").strip().splitlines() or [""])[0]
            raise Refused(f"exit {process.returncode}" + (f": {first[:300]}" if first else ""))

    def _wait(self, process: subprocess.Popen, body: bytes) -> tuple[bytes, bytes]:
        timeout = self.hook.timeout_seconds
        try:
            return process.communicate(body, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            process.communicate()
            raise Refused(f"timed out after {timeout:g} s (timeout_seconds): killed") from None

    def stop(self) -> None:
        """The daemon stops: end the hook in flight (its delivery goes again next run)."""
        with self._lock:
            if self._running is not None:
                _kill(self._running)


def _kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # its children too: they hold the pipes
