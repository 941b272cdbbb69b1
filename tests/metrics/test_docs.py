"""docs/metrics.md names exactly the metrics a scrape serves, and its example alerts
are rules Prometheus accepts (promtool; skipped without it unless
MODEMD_REQUIRE_INTEROP=1)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from store.helpers import add_line, status_report

from modemd.store import Store

from .conftest import Samples, promtool

DOC = Path(__file__).parents[2] / "docs" / "metrics.md"
SAMPLE_SUFFIXES = re.compile(r"_(bucket|sum|count)$")


def served(store: Store, scrape: Callable[[], Samples]) -> set[str]:
    """Every modemd metric family, with a row of each kind so none is left out."""
    line = add_line(store, 1)
    store.reports.record(line, *status_report(3))
    store.runs.begin(1, None)
    text = scrape().text
    return set(re.findall(r"^# TYPE (modemd_\w+) ", text, re.M))


def test_the_doc_names_every_metric_served_and_no_other(
        store: Store, scrape: Callable[[], Samples]) -> None:
    documented = {SAMPLE_SUFFIXES.sub("", name)
                  for name in re.findall(r"`(modemd_\w+)", DOC.read_text())}
    families = served(store, scrape)
    assert families - documented == set(), "served but not in docs/metrics.md"
    assert documented - families == set(), "in docs/metrics.md but not served"


def test_the_example_alerts_are_valid_rules(tmp_path: Path) -> None:
    tool = promtool()
    [rules] = re.findall(r"```yaml\n(groups:.*?)```", DOC.read_text(), re.S)
    (tmp_path / "rules.yml").write_text(rules)
    checked = subprocess.run([tool, "check", "rules", str(tmp_path / "rules.yml")],
                             capture_output=True, text=True, timeout=30, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 6 rules found" in checked.stdout
