"""Retention: `modemd prune` (and retention.prune, which the daemon runs hourly) deletes
final messages older than N days with their parts and reports, and old quarantine
rows; what is queued or sending stays, and so does the audit trail."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from e2e.conftest import Daemon, Emulator, modemd_argv, wait_for
from store.dbfiles import integrity

from modemd.store import Store, retention

from .support import (
    add_line,
    claim,
    delivered,
    delivers,
    modemd,
    orphan_report,
    queue,
    send,
)

Travel = Callable[[timedelta | None], None]
TABLES = ("messages", "outbound_parts", "inbound_parts", "reports", "quarantine", "audit")
LONG = "two parts " + "x" * 190


def rows(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def texts(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT text, status FROM messages ORDER BY id").fetchall()
    finally:
        conn.close()


def build(db: Path, travel: Travel) -> None:
    """100 days ago: a delivered two-part message, a failed one, one still sending, one
    still queued, a received two-part message, an orphaned report, a quarantined PDU,
    and a message queued then but sent only today. Today: a delivered message and a
    quarantined PDU."""
    store = Store(db)
    travel(timedelta(days=100))
    line = add_line(store, 1, name="desk-1")
    delivered(store, line, LONG, mr=1)
    queue(store, "old failed")
    failed = claim(store, line)
    store.outbox.part_sending(failed.parts[0].id, line)
    store.outbox.part_failed(failed.message_id, failed.parts[0].id, "refused", attempt=True)
    queue(store, "old sending")
    claim(store, line)
    queue(store, "queued long ago, sent today")
    queue(store, "old queued", line=add_line(store, 2))  # waits for a line never claiming
    for pdu, message in delivers("+12015550199", LONG, reference=7):
        store.inbox.record(line, pdu, message)
    orphan_report(store, line)
    store.inbox.quarantine(line, "00FF00", "undecodable")
    travel(None)
    send(store, line, mr=9)  # the oldest queued one: its last activity is today
    delivered(store, line, "today", mr=20)
    store.inbox.quarantine(line, "00EE00", "undecodable today")
    store.close()


def test_prune_deletes_old_final_messages_and_keeps_the_rest(tmp_path: Path,
                                                            back_in_time: Travel) -> None:
    db = tmp_path / "modemd.db"
    build(db, back_in_time)
    before = rows(db)
    gone = {"messages": 3, "outbound_parts": 3, "inbound_parts": 2, "reports": 3,
            "quarantine": 1}

    dry = json.loads(modemd("prune", "--db", str(db), "--days", "30", "--dry-run",
                            "--json").stdout)
    assert {table: dry[table] for table in gone} == gone and dry["dry_run"] is True
    assert rows(db) == before

    config = tmp_path / "modemd.toml"
    config.write_text(f'database = "{db}"\nretention_days = 30\n')
    done = modemd("prune", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("deleted 3 message(s) (3 outbound part(s), 2 inbound "
                                  "part(s), 3 report(s)) and 1 quarantine row(s) from before ")
    after = rows(db)
    assert {table: before[table] - after[table] for table in gone} == gone
    assert after["audit"] == before["audit"]  # who did what stays
    assert texts(db) == [("old sending", "sending"), ("queued long ago, sent today", "sent"),
                         ("old queued", "queued"), ("today", "delivered")]
    assert integrity(db) == ["ok"]
    again = json.loads(modemd("prune", "--db", str(db), "--days", "30", "--json").stdout)
    assert {table: again[table] for table in gone} == dict.fromkeys(gone, 0)


@pytest.mark.parametrize("count", [8, 10])  # a multiple of the chunk, and not
def test_a_big_prune_goes_in_chunks_and_misses_nothing(
        tmp_path: Path, back_in_time: Travel, monkeypatch: pytest.MonkeyPatch,
        count: int) -> None:
    monkeypatch.setattr(retention, "CHUNK", 4)
    store = Store(tmp_path / "modemd.db")
    back_in_time(timedelta(days=40))
    line = add_line(store, 1)
    for n in range(count):
        delivered(store, line, f"message {n}", mr=n + 1)
    back_in_time(None)
    try:
        done = retention.prune(store.database, 30)
        left = store.database.one("SELECT COUNT(*) AS n FROM messages")
        again = retention.prune(store.database, 30)
    finally:
        store.close()
    assert done == {"messages": count, "outbound_parts": count, "inbound_parts": 0,
                    "reports": count, "quarantine": 0, "deliveries": 0,
                    "events": 3 * count + 1}  # queued, sent, delivered each; the line's ok
    assert left == {"n": 0}
    assert not any(again.values())  # nothing left: the daemon's hourly job logs nothing


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_a_retention_that_makes_no_sense_is_a_usage_error(tmp_path: Path, days: str) -> None:
    done = modemd("prune", "--db", str(tmp_path / "m.db"), "--days", days)
    assert done.returncode == 2 and "--days" in done.stderr


def test_without_days_or_retention_days_it_asks_for_them(tmp_path: Path) -> None:
    done = modemd("prune", "--db", str(tmp_path / "m.db"))
    assert done.returncode == 1
    assert "Give --days N, or set retention_days in the configuration" in done.stderr


def test_the_daemon_prunes_by_itself_soon_after_it_starts(tmp_path: Path,
                                                           back_in_time: Travel) -> None:
    """retention_days in a running daemon: a first prune seconds after start, then hourly."""
    db = tmp_path / "modemd.db"
    build(db, back_in_time)
    audit = rows(db)["audit"]
    emulator = Emulator(tmp_path / "emu", tmp_path / "emulator.log", ("--lines", "1"))
    config = tmp_path / "modemd.toml"
    config.write_text(f'database = "{db}"\nretention_days = 30\n'
                      f'[[modem]]\nport = "{tmp_path / "emu" / "line1"}"\n')
    daemon = Daemon(modemd_argv("run", "--config", str(config)), tmp_path / "daemon.log")
    daemon.start()
    try:
        left = wait_for("the old final messages pruned", lambda: texts(db),
                        lambda now: ("old failed", "failed") not in now, timeout=30)
        assert ("today", "delivered") in left
        # logged once every table is done: the messages go first, events last
        wait_for("the prune logged", lambda: "retention: pruned" in daemon.log.read_text(),
                 timeout=10)
        assert rows(db)["audit"] >= audit  # the trail stays (and grows)
    finally:
        code = daemon.terminate()
        emulator.stop()
    assert code == 0
