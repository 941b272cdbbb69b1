"""HTTP clients for identity tests: http.client over a Unix socket or TCP (TLS too), run
in this process or in a child that became another Unix user first, as a real agent's
client would be (the kernel then tells the server that user's uid)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pickle
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

UNPRIVILEGED = "nobody"


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client speaking over an AF_UNIX socket at path."""

    def __init__(self, path: str, timeout: float = 10.0) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any  # the JSON, or the raw text when it is not JSON


def call(connection: http.client.HTTPConnection, method: str, path: str,
         body: Any = None, headers: dict[str, str] | None = None) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    sent = {"Content-Type": "application/json"} if data is not None else {}
    try:
        connection.request(method, path, body=data, headers=sent | (headers or {}))
        response = connection.getresponse()
        raw = response.read().decode()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      parsed)
    finally:
        connection.close()


def unix(path: Path | str, method: str, route: str, body: Any = None,
         headers: dict[str, str] | None = None) -> Answer:
    return call(UnixHTTPConnection(str(path)), method, route, body, headers)


def tcp(port: int, method: str, route: str, body: Any = None,
        headers: dict[str, str] | None = None, *,
        tls: ssl.SSLContext | None = None) -> Answer:
    connection = (http.client.HTTPConnection("127.0.0.1", port, timeout=10) if tls is None
                  else http.client.HTTPSConnection("127.0.0.1", port, timeout=10,
                                                   context=tls))
    return call(connection, method, route, body, headers)


def as_user(name: str, work: Callable[[], Any]) -> Any:
    """work() in a forked child that is user `name` (uid, gid, no other groups); its
    result, or its exception raised here. A fork, not a new interpreter: the test's
    Python may live where that user cannot read (root's home)."""
    user = pwd.getpwnam(name)
    readable, writable = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child)
        code = 0
        try:
            os.close(readable)
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            outcome: tuple[bool, Any] = (True, work())
        except BaseException as error:
            outcome, code = (False, error), 1
        with os.fdopen(writable, "wb") as pipe:
            pickle.dump(outcome, pipe)
        os._exit(code)
    os.close(writable)
    with os.fdopen(readable, "rb") as pipe:
        ok, value = pickle.load(pipe)
    os.waitpid(child, 0)
    if not ok:
        raise value
    return value


@contextlib.contextmanager
def reachable_folder() -> Iterator[Path]:
    """A folder every user may enter (pytest's tmp_path is root's alone), for a socket
    the unprivileged user connects to."""
    folder = Path(tempfile.mkdtemp(prefix="modemd-api-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (PEM files in folder):
    made with the cryptography package where it is installed, else with openssl."""
    cert, key = folder / "api.crt", folder / "api.key"
    try:
        _with_cryptography(cert, key)
    except ImportError:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True, timeout=30)
    return cert, key


def _with_cryptography(cert: Path, key: Path) -> None:
    import datetime  # noqa: PLC0415
    import ipaddress  # noqa: PLC0415

    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    made = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(private.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(private, hashes.SHA256()))
    cert.write_bytes(made.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))


def trusting(cert: Path) -> ssl.SSLContext:
    """A client context that trusts cert alone (and checks the host name against it)."""
    return ssl.create_default_context(cafile=str(cert))
