"""Third-party tools some tests drive (promtool, tmux, python-gammu): without one such a
test skips, unless MODEMD_REQUIRE_INTEROP=1 (CI), where a missing tool fails it."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def unavailable(why: str) -> NoReturn:
    if os.environ.get("MODEMD_REQUIRE_INTEROP") == "1":
        pytest.fail(f"{why}; MODEMD_REQUIRE_INTEROP=1 requires it")
    pytest.skip(why)


def tool(name: str, package: str) -> str:
    """The program's path."""
    found = shutil.which(name)
    if found is None:
        unavailable(f"{name} is not installed (apt-get install {package})")
    return found
