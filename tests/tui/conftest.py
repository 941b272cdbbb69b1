"""The terminal desk's fixtures: the e2e rig (the real daemon against the emulator) and
the screen as text (see support.py)."""

from __future__ import annotations

from tests.e2e.conftest import LINE1, LINE2, Desk, desk, hermetic, make_desk, outside, wait_for

__all__ = ["LINE1", "LINE2", "Desk", "desk", "hermetic", "make_desk", "outside", "wait_for"]
