"""The seeded fault soak, short: a minute of real `modemd run` and `modemd emulator`
processes on four lines with faults of many kinds, then every message checked
(bench/soak.py runs the long one). A failure names the seed and the kept folder:
logs, database, a transcript per line, both records and the verdict."""

from __future__ import annotations

from pathlib import Path

from _soak_plan import Pace
from _soak_run import Settings, soak
from _soak_table import render

SEED = 715  # its minute has every daemon event, kills and unplugs mid-+CMGS and mid-read,
# a "line cannot send" +CMS that only a restart ends, an ME failure, a late part
LINES = 4
MINUTES = 1.0
PACE = Pace(agent=1.5, network=3.0, fault=3.0, daemon=20.0)  # more happens in a minute


def test_a_minute_of_faults_loses_nothing_and_sends_nothing_twice(tmp_path: Path) -> None:
    settings = Settings(seed=SEED, lines=LINES, minutes=MINUTES, pace=PACE,
                        settle_timeout=120.0, folder=tmp_path / f"soak-{SEED}")
    outcome = soak(settings, progress=lambda _: None)
    table = render(outcome.verdict, seed=SEED, lines=LINES, minutes=MINUTES,
                   wall=outcome.wall, settle=outcome.settle, quiet=outcome.settled,
                   folder=str(outcome.folder))
    print(table)
    assert outcome.verdict["counts"]["submissions"] > 0, table
    assert not outcome.verdict["violations"], (
        f"soak seed {SEED} broke invariants; logs, database and transcripts are kept in "
        f"{outcome.folder}\n{table}")
