"""`pip install .` (not editable) ships every package: the list in pyproject is complete."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {".".join(init.parent.relative_to(ROOT).parts)
               for init in (ROOT / "modemd").rglob("__init__.py")}
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
    mapped = config["package-dir"]["modemd.emulator.profile_data"]
    assert (ROOT / mapped / "generic.toml").is_file()
