"""The server's listeners: where the socket goes by default, its mode, a stale one
replaced and a live one or a file never; TCP and TLS, and every way a start is
refused with a clear message before anything is served."""

from __future__ import annotations

import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from modemd import config as configuration
from modemd.api.server import ApiServer, socket_path
from modemd.errors import InvalidInputError

from .peer import free_port, self_signed, tcp, trusting, unix
from .support import lab


@pytest.fixture
def folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="mapi-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def started(folder: Path, **settings: str) -> ApiServer:
    server = ApiServer(lab(folder / "m.db", **({"api_socket": str(folder / "api.sock")}
                                                | settings)))
    server.start()
    return server


def test_the_default_socket_is_the_runtime_directorys_else_beside_the_database(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTIME_DIRECTORY", "/run/modemd")
    assert socket_path(lab(folder / "m.db")) == Path("/run/modemd/api.sock")
    monkeypatch.delenv("RUNTIME_DIRECTORY")
    assert socket_path(lab(folder / "m.db")) == folder / "m.db.api.sock"
    deep = folder / ("d" * 120) / "m.db"
    fallback = socket_path(lab(deep))
    assert fallback.parent == Path(tempfile.gettempdir()) and fallback.name.endswith(".api.sock")
    assert socket_path(lab(deep)) == fallback  # the same database, the same place
    with pytest.raises(InvalidInputError, match="give a path shorter than 100 characters"):
        socket_path(lab(folder / "m.db", api_socket=str(deep)))


def test_the_socket_is_for_the_group_only_and_gone_after_stop(folder: Path) -> None:
    server = started(folder)
    try:
        mode = server.path.stat().st_mode
        assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o660
        assert unix(server.path, "GET", "/v1/lines").status == 200
    finally:
        server.stop()
    assert not server.path.exists()


def test_a_stale_socket_is_replaced_and_a_live_one_or_a_file_refused(folder: Path) -> None:
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(folder / "api.sock"))
    stale.close()  # its server is gone; the file stays, as after kill -9
    server = started(folder)
    try:
        with pytest.raises(InvalidInputError, match="another process serves there already"):
            started(folder)
        assert unix(server.path, "GET", "/v1/lines").status == 200  # left alone
    finally:
        server.stop()
    (folder / "api.sock").write_text("precious")
    with pytest.raises(InvalidInputError, match="exists and is not a socket"):
        started(folder)
    assert (folder / "api.sock").read_text() == "precious"
    with pytest.raises(InvalidInputError, match=r"the folder .* does not exist"):
        started(folder, api_socket=str(folder / "no" / "api.sock"))


def test_a_tcp_port_in_use_refuses_the_start(folder: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InvalidInputError, match=f"cannot serve the API on http://127.0.0.1:"
                           f"{port} .*another program listens there"):
            started(folder, api_listen=f"127.0.0.1:{port}")
    assert not (folder / "api.sock").exists()  # the socket bound first was closed again


def test_tls_on_tcp_with_a_certificate_and_its_key(folder: Path) -> None:
    cert, key = self_signed(folder)
    port = free_port()
    server = started(folder, api_listen=f"127.0.0.1:{port}", api_tls_cert=str(cert),
                     api_tls_key=str(key))
    try:
        answer = tcp(port, "GET", "/v1/lines", tls=trusting(cert))
        assert answer.status == 401 and answer.headers["www-authenticate"] == "Bearer"
    finally:
        server.stop()


def test_tls_files_that_are_missing_or_no_pair_are_refused(folder: Path) -> None:
    port = f"127.0.0.1:{free_port()}"
    with pytest.raises(InvalidInputError, match=r"api_tls_cert = .*: no readable file there"):
        started(folder, api_listen=port, api_tls_cert=str(folder / "none.crt"),
                api_tls_key=str(folder / "none.key"))
    (folder / "bad.pem").write_text("not a certificate")
    with pytest.raises(InvalidInputError, match="cannot load them as a certificate"):
        started(folder, api_listen=port, api_tls_cert=str(folder / "bad.pem"),
                api_tls_key=str(folder / "bad.pem"))


@pytest.mark.parametrize(("text", "error"), [
    ('api_tls_cert = "/etc/modemd/api.crt"\napi_listen = "127.0.0.1:8025"\n',
     "api_tls_cert is set but api_tls_key is not"),
    ('api_tls_key = "/etc/modemd/api.key"\napi_listen = "127.0.0.1:8025"\n',
     "api_tls_key is set but api_tls_cert is not"),
    ('api_tls_cert = "a"\napi_tls_key = "b"\n', "api_listen is not set"),
    ('api_listen = "8025"\n', "api_listen = '8025' is not HOST:PORT"),
    ('api_sockets = "/run/api.sock"\n', "did you mean 'api_socket'"),
    ("api_socket = 5\n", "api_socket = 5 has the wrong type: expected a string"),
])
def test_the_api_settings_are_checked_when_the_configuration_is_read(
        tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "modemd.toml"
    path.write_text(text)
    with pytest.raises(InvalidInputError, match=error):
        configuration.load(str(path))


def test_the_api_settings_are_read(tmp_path: Path) -> None:
    path = tmp_path / "modemd.toml"
    path.write_text('api_socket = "/run/x.sock"\napi_listen = "[::1]:8025"\n'
                    'api_tls_cert = "c.pem"\napi_tls_key = "k.pem"\n')
    loaded = configuration.load(str(path))
    assert (loaded.api_socket, loaded.api_address, loaded.api_tls_cert, loaded.api_tls_key) == (
        "/run/x.sock", ("::1", 8025), "c.pem", "k.pem")
