"""The docs stand alone and say what the code does: the state tables in
docs/architecture.md are the tables in modemd/store/states.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from modemd.store.states import (
    DELIVERY_TRANSITIONS,
    INBOUND_TRANSITIONS,
    LINE_TRANSITIONS,
    OUTBOUND_TRANSITIONS,
    PART_TRANSITIONS,
)

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
MACHINES = {"OutboundStatus": OUTBOUND_TRANSITIONS, "PartStatus": PART_TRANSITIONS,
            "InboundStatus": INBOUND_TRANSITIONS, "LineState": LINE_TRANSITIONS,
            "DeliveryStatus": DELIVERY_TRANSITIONS}


def documented_table(enum_name: str) -> dict[str, set[str]]:
    """The `| from | to |` table under the heading that names enum_name."""
    text = ARCHITECTURE.read_text()
    heading = re.search(rf"^### .*\(`{enum_name}`\)$", text, re.MULTILINE)
    assert heading, f"docs/architecture.md has no section for {enum_name}"
    rows = {}
    for line in text[heading.end():].split("\n###")[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = set(re.findall(r"`([a-z_]+)`", cells[1]))
    return rows


@pytest.mark.parametrize("enum_name", MACHINES)
def test_each_documented_state_table_is_the_code_s(enum_name: str) -> None:
    table = MACHINES[enum_name]
    assert documented_table(enum_name) == {str(k): {str(v) for v in vs}
                                           for k, vs in table.items()}


@pytest.mark.parametrize("path", [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
def test_the_docs_never_point_outside_the_repository(path: Path) -> None:
    assert "../shared" not in path.read_text()
    assert "DESIGN.md" not in path.read_text() and "DOMAIN.md" not in path.read_text()
