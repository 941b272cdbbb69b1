"""The [pace] table: the defaults, every key read, and bad values refused saying what
is wrong and what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from modemd import config
from modemd.config import Pace
from modemd.errors import InvalidInputError


def loaded(tmp_path: Path, text: str) -> config.Config:
    path = tmp_path / "modemd.toml"
    path.write_text(text)
    return config.load(str(path))


def test_without_a_pace_table_the_limits_are_the_defaults(tmp_path: Path) -> None:
    assert loaded(tmp_path, 'default_region = "US"\n').pace == Pace(
        enabled=True, per_agent_seconds=1, new_contacts_per_agent_hour=30,
        new_contacts_per_line_day=200)


def test_every_key_is_read(tmp_path: Path) -> None:
    pace = loaded(tmp_path, "[pace]\nenabled = false\nper_agent_seconds = 0.5\n"
                  "new_contacts_per_agent_hour = 10\nnew_contacts_per_line_day = 50\n").pace
    assert pace == Pace(enabled=False, per_agent_seconds=0.5, new_contacts_per_agent_hour=10,
                        new_contacts_per_line_day=50)
    assert loaded(tmp_path, "[pace]\nper_agent_seconds = 0\n").pace.per_agent_seconds == 0


@pytest.mark.parametrize(("text", "message"), [
    ("[pace]\nper_agent_second = 2\n",
     r"\[pace\]: unknown setting 'per_agent_second'; did you mean 'per_agent_seconds'"),
    ("[pace]\ncolour = 1\n", r"\[pace\]: unknown setting 'colour'; known: \['enabled'"),
    ("[pace]\nenabled = \"no\"\n", "enabled = 'no' has the wrong type: expected true or false"),
    ("[pace]\nper_agent_seconds = \"1s\"\n", "expected a number"),
    ("[pace]\nper_agent_seconds = true\n", "expected a number"),
    ("[pace]\nnew_contacts_per_agent_hour = 2.5\n", "expected a whole number"),
    ("[pace]\nper_agent_seconds = -1\n", r"per_agent_seconds = -1 cannot be negative"),
    ("[pace]\nnew_contacts_per_agent_hour = 0\n",
     r"new_contacts_per_agent_hour = 0 must be 1 or more; .* set enabled = false"),
    ("[pace]\nnew_contacts_per_line_day = -3\n", "new_contacts_per_line_day = -3 must be 1"),
    ("pace = 5\n", "pace = 5 has the wrong type: expected a table"),
    ("[paces]\nenabled = false\n", "unknown setting 'paces'; did you mean 'pace'"),
])
def test_bad_pace_settings_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        loaded(tmp_path, text)
