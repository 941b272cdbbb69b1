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
    ('colour = "blue"\n', "unknown settings"),
    ('[[modem]]\nname = "no port"\n', "needs port"),
    ("database = \n", "cannot read"),
])
def test_bad_files_say_what_is_wrong(tmp_path, text, message):
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(InvalidInputError, match=message):
        config.load(str(path))


def test_a_missing_named_file_is_an_error(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        config.load(str(tmp_path / "nope.toml"))
