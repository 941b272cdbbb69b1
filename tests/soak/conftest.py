"""The soak's engine lives in bench/ (bench/_soak*.py, shared with bench/soak.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))


@pytest.fixture
def world():
    """A clean run: messages out (outside and line to line, multipart), in (single,
    multipart from a name), an undecodable PDU, every report matched."""
    from .world import L2, World  # noqa: PLC0415  (needs bench/ on the path, set above)

    w = World()
    w.sent("o00001q")
    w.sent("o00002q", to=L2, parts=3)
    w.injected("i00001q")
    w.injected("i00002q", parts=2, sender="+14155550150", line="line1")
    w.garbage("00FF0001AB")
    return w
