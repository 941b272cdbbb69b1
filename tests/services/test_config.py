"""Configuration: flag > environment > file > default, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from modemd import config
from modemd.errors import InvalidInputError


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_defaults_without_any_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MODEMD_CONFIG", raising=False)
    monkeypatch.delenv("MODEMD_DB", raising=False)
    loaded = config.load()
    assert loaded.database == Path("modemd.db")
    assert loaded.modems == ()
    assert loaded.discover == ("/dev/modemd/by-path/*",)  # udev's links, found as they come
    assert loaded.metrics_address is None and loaded.retention_days is None


def test_file_then_environment_then_flag_for_the_database(tmp_path, monkeypatch):
    path = write(tmp_path / "m.toml", 'database = "file.db"\n[[modem]]\nport = "/dev/x"\n'
                 'name = "desk-1"\npin = "1234"\n')
    monkeypatch.delenv("MODEMD_DB", raising=False)
    assert config.load(str(path)).database == Path("file.db")
    monkeypatch.setenv("MODEMD_DB", "env.db")
    assert config.load(str(path)).database == Path("env.db")
    assert config.load(str(path), db="flag.db").database == Path("flag.db")
    modem = config.load(str(path)).modems[0]
    assert (modem.port, modem.name, modem.pin, modem.rtscts) == ("/dev/x", "desk-1", "1234",
                                                                  False)


def test_environment_names_the_file_and_ports_add_modems(tmp_path, monkeypatch):
    path = write(tmp_path / "m.toml", '[[modem]]\nport = "/dev/a"\n')
    monkeypatch.setenv("MODEMD_CONFIG", str(path))
    loaded = config.load(ports=("/dev/b",))
    assert [m.port for m in loaded.modems] == ["/dev/a", "/dev/b"]
    assert loaded.source == path


def test_current_folder_file_is_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MODEMD_CONFIG", raising=False)
    write(tmp_path / "modemd.toml", 'default_region = "US"\n')
    assert config.load().default_region == "US"


@pytest.mark.parametrize(("text", "message"), [
    ('colour = "blue"\n', "unknown setting 'colour'; known: .*'database'"),
    ('discovr = ["/dev/x*"]\n', "unknown setting 'discovr'; did you mean 'discover'"),
    ('[[modem]]\nport = "/dev/x"\nbaud = 9600\n', "did you mean 'baudrate'"),
    ('[[modem]]\nname = "no port"\n', "exactly one of port, imei or iccid .got none"),
    ('[[modem]]\nport = "/dev/x"\nimei = "1"\n', "exactly one of port, imei or iccid"),
    ('discover = []\n[[modem]]\niccid = "89"\n', "needs discover to find its port"),
    ('discover = "/dev/x*"\n', "discover = '/dev/x\\*' has the wrong type: expected a list"),
    ('discover = [""]\n', "a list of path globs"),
    ('retention_days = "a year"\n', "expected a number"),
    ("retention_days = 0\n", "retention_days = 0 must be more than 0"),
    ("scan_seconds = -1\n", "scan_seconds = -1 must be more than 0"),
    ("discover_grace_seconds = -5\n", "cannot be negative"),
    ("monitor_seconds = true\n", "expected a number"),
    ('metrics = "9597"\n', "is not HOST:PORT"),
    ('metrics = "localhost:99999"\n', "is not HOST:PORT"),
    ("database = \n", "cannot read"),
])
def test_bad_files_say_what_is_wrong(tmp_path, text, message):
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(InvalidInputError, match=message):
        config.load(str(path))


def test_a_missing_named_file_is_an_error(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        config.load(str(tmp_path / "nope.toml"))


def test_ports_by_hand_turn_discovery_off_unless_it_is_asked_for(tmp_path):
    by_hand = write(tmp_path / "a.toml", '[[modem]]\nport = "/dev/x"\n')
    assert config.load(str(by_hand)).discover == ()
    assert config.load(str(by_hand), ports=()).fixed[0].port == "/dev/x"
    both = write(tmp_path / "b.toml", 'discover = ["/dev/ttyUSB*"]\n[[modem]]\nport = "/dev/x"\n')
    assert config.load(str(both)).discover == ("/dev/ttyUSB*",)


def test_modems_matched_by_identity_follow_the_hardware(tmp_path):
    path = write(tmp_path / "m.toml", 'metrics = "127.0.0.1:9597"\nretention_days = 365\n'
                 '[[modem]]\niccid = "8901260"\nname = "desk-1"\npin = "1234"\n'
                 '[[modem]]\nimei = "861234"\nname = "desk-2"\n')
    loaded = config.load(str(path))
    assert loaded.fixed == () and len(loaded.by_identity) == 2
    assert loaded.discover == ("/dev/modemd/by-path/*",)
    first, second = loaded.by_identity
    assert first.matches(imei="999", iccid="8901260") and not first.matches("861234", "1")
    assert second.matches(imei="861234", iccid=None) and not second.matches(None, None)
    assert loaded.metrics_address == ("127.0.0.1", 9597) and loaded.retention_days == 365
