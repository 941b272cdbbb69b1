"""The error tree drawn in modemd.errors is the real class tree, every class included."""

from __future__ import annotations

import importlib
import pkgutil
import re

import modemd
import modemd.errors
from modemd.errors import ModemdError


def drawn() -> dict[str, str | None]:
    """name -> parent name, read off the drawing in the module docstring."""
    doc = modemd.errors.__doc__ or ""
    block = doc.split("::", 1)[1].split("\n\n")[1]
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in block.splitlines():
        match = re.match(r"^\s+((?:[ |]{5})*)\+-- (\w+)", line)
        if match is None:
            root = line.split()[0]
            parents[root], stack = None, [root]
            continue
        depth = len(match.group(1)) // 5 + 1
        del stack[depth:]
        parents[match.group(2)] = stack[-1]
        stack.append(match.group(2))
    return parents


def real() -> dict[str, str | None]:
    for module in pkgutil.walk_packages(modemd.__path__, "modemd."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: dict[str, str | None] = {"ModemdError": None}
    frontier = [ModemdError]
    while frontier:
        cls = frontier.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("modemd.emulator"):
                continue  # the emulator's own, not modemd's errors
            found[sub.__name__] = next(b.__name__ for b in sub.__bases__
                                       if issubclass(b, ModemdError))
            frontier.append(sub)
    return found


def test_the_drawn_tree_is_the_class_tree() -> None:
    assert drawn() == real()


def test_each_error_has_a_scenario() -> None:
    doc = (modemd.errors.__doc__ or "").split("::", 1)[1].split("\n\n")[1]
    for line in doc.splitlines()[1:]:
        assert len(line.split("+-- ", 1)[1].split(maxsplit=1)) == 2, line
