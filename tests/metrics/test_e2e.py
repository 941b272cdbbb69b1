"""The real `modemd run` with `metrics = "127.0.0.1:PORT"` on two `modemd emulator`
lines: a message goes from one line to the other and is delivered, /metrics is scraped
over HTTP, its figures checked, and the whole text passed through `promtool check
metrics` (Debian's `prometheus` package). Without promtool the test skips, unless
MODEMD_REQUIRE_INTEROP=1 makes that a failure."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e.conftest import LINE2, Cli, Daemon, Desk, Emulator, modemd_argv, wait_for

from .conftest import Samples, fetch, promtool

NAMES = ("desk-1", "desk-2")  # the configured names: how metrics label the lines


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def metered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Desk, int]]:
    """Two emulated lines and the daemon on them, serving metrics on a free port."""
    for name in ("MODEMD_CONFIG", "MODEMD_DB", "MODEMD_EMULATOR_DIR"):
        monkeypatch.delenv(name, raising=False)  # nothing from the developer's shell
    monkeypatch.chdir(tmp_path)
    emulator = Emulator(tmp_path / "emu", tmp_path / "emulator.log", ("--lines", "2"))
    port, config, db = free_port(), tmp_path / "modemd.toml", tmp_path / "modemd.db"
    config.write_text(f'metrics = "127.0.0.1:{port}"\n' + "".join(
        f'[[modem]]\nport = "{line["port"]}"\nname = "{name}"\n'
        for line, name in zip(emulator.announced["lines"], NAMES, strict=True)))
    argv = modemd_argv("run", "--db", str(db), "--config", str(config))
    desk = Desk(emulator, Daemon(argv, tmp_path / "daemon.log"), Cli(db))
    desk.daemon.start()
    yield desk, port
    problems = desk.close()
    if problems:
        pytest.fail("\n".join(problems))


def scrape(port: int) -> Samples:
    def answer() -> tuple[int, str, str] | None:
        try:
            return fetch(port)
        except OSError:  # not listening yet
            return None

    status, content_type, body = wait_for(f"metrics on port {port}", answer)
    assert status == 200 and content_type.startswith("text/plain"), (status, body)
    return Samples(body)


def test_a_delivered_message_as_the_metrics_show_it(metered: tuple[Desk, int]) -> None:
    desk, port = metered
    tool = promtool()
    desk.wait_lines()
    message_id = desk.cli.send(LINE2, "Hello from the metrics test", line="desk-1")
    desk.cli.wait_status(message_id, "delivered")
    desk.cli.wait_inbox(1)
    got = wait_for("the inbound latency sample", lambda: scrape(port),
                   lambda s: s.get("modemd_inbound_commit_duration_seconds_count",
                                   line="desk-2") == 1)
    assert got.get("modemd_database_up") == 1
    assert got.get("modemd_messages", direction="out", status="delivered") == 1
    assert got.get("modemd_messages", direction="in", status="received") == 1
    assert got.get("modemd_parts_submitted_total", line="desk-1") == 1
    assert got.get("modemd_submit_duration_seconds_count", line="desk-1") == 1
    assert got.get("modemd_parts_submitted_total", line="desk-2") == 0
    assert (got.get("modemd_queue_messages"), got.get("modemd_queue_oldest_age_seconds")) \
        == (0, 0)
    assert got.get("modemd_delivery_reports_matched") == 1
    assert got.get("modemd_delivery_reports_orphaned") == 0
    assert got.get("modemd_delivery_report_match_ratio") == 1
    for name in NAMES:
        assert got.get("modemd_line_up", line=name) == 1
        assert got.get("modemd_line_state", line=name, state="ok") == 1
        assert got.get("modemd_line_state", line=name, state="offline") == 0
        assert got.get("modemd_line_registration_status", line=name) == 1
        assert got.get("modemd_line_signal_dbm", line=name) == -73  # the emulator's rssi 20
        assert got.get("modemd_sim_storage_used_messages", line=name, memory="SM") == 0
        assert (got.get("modemd_sim_storage_capacity_messages", line=name, memory="SM")
                or 0) > 0
    assert got.get("modemd_daemon_starts_total") == 1
    assert got.get("modemd_daemon_unclean_stops_total") == 0
    assert got.get("modemd_daemon_start_time_seconds") is not None
    assert fetch(port, "/")[0] == 404
    checked = subprocess.run([tool, "check", "metrics"], input=got.text, text=True,
                             capture_output=True, timeout=30, check=False)
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, ""), checked
    assert desk.daemon.terminate() == 0
    with pytest.raises(OSError):  # the port is free again
        fetch(port)
