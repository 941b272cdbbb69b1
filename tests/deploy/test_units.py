"""The systemd units and udev rules we ship are well-formed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "systemd").glob("*.service"))
RULES = ROOT / "udev" / "77-modemd.rules"
_PAIR = re.compile(r'\s*([A-Z_]+)(?:\{([^}]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(?:,|$)')
_KEYS = {"ACTION", "SUBSYSTEM", "SUBSYSTEMS", "ENV", "ATTRS", "GOTO", "LABEL", "SYMLINK", "TAG",
         "MODE", "GROUP", "KERNEL", "DRIVERS"}


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_unit_passes_systemd_analyze_verify(unit, tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    modemd = str(Path(sys.executable).with_name("modemd"))  # where this checkout's modemd is
    text = (unit.read_text().replace("/opt/modemd/bin/modemd", modemd)
            .replace("/usr/local/bin/modemd", modemd))
    copy = tmp_path / unit.name
    copy.write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True,
                            text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr


def test_daemon_unit_uses_notify_and_a_watchdog():
    text = (ROOT / "systemd" / "modemd.service").read_text()
    assert "Type=notify" in text
    assert re.search(r"^WatchdogSec=\d+", text, re.MULTILINE)
    assert "ExecStart=/opt/modemd/bin/modemd run" in text


def parse_rule(line: str) -> list[tuple[str, str | None, str, str]]:
    pairs, position = [], 0
    while position < len(line):
        match = _PAIR.match(line, position)
        assert match, f"cannot parse udev rule at {line[position:]!r}"
        pairs.append(match.groups())
        position = match.end()
    return pairs


def test_udev_rules_parse_and_hide_every_modem_from_modemmanager():
    rules = [line for line in RULES.read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    parsed = [parse_rule(line) for line in rules]
    keys = {key for rule in parsed for key, *_ in rule}
    assert keys <= _KEYS
    labels = {value for rule in parsed for key, _, _, value in rule if key == "LABEL"}
    gotos = {value for rule in parsed for key, _, _, value in rule if key == "GOTO"}
    assert gotos <= labels
    ignore = [rule for rule in parsed if ("ENV", "ID_MM_DEVICE_IGNORE", "=", "1") in rule]
    assert ignore, "ModemManager must be told to keep off"
    vendors = next(v for k, a, _, v in ignore[0] if a == "ID_VENDOR_ID")
    for vendor in ("2c7c", "1e0e", "1199", "12d1"):
        assert vendor in vendors.split("|")
