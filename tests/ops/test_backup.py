"""`modemd backup PATH`: a consistent, checked copy even while the daemon writes; an
existing PATH only with --force; a failed backup leaves nothing under PATH."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from e2e.conftest import LINE2, Desk
from store.dbfiles import make_database

from modemd.store import Store

from .support import modemd, queue

BACKUP_LINE = re.compile(r"^(?P<path>\S+): (?P<bytes>[\d,]+) bytes, (?P<messages>\d+) "
                         r"message\(s\), integrity ok$")


def backup(db: Path, target: Path, *options: str) -> dict:
    done = modemd("backup", "--db", str(db), str(target), *options)
    assert done.returncode == 0, done.stderr
    found = BACKUP_LINE.match(done.stdout.strip())
    assert found, done.stdout
    assert found["path"] == str(target) and int(found["bytes"].replace(",", "")) == \
        target.stat().st_size
    return {"messages": int(found["messages"])}


def torn(copy: Path) -> dict:
    """What a copy of a moment must have: integrity, a single file, no message without
    all its parts, no part without its message."""
    conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        return {
            "integrity": conn.execute("PRAGMA integrity_check").fetchall(),
            "journal": conn.execute("PRAGMA journal_mode").fetchone()[0],
            "short": conn.execute(
                "SELECT COUNT(*) FROM messages m WHERE direction = 'out' AND parts != "
                "(SELECT COUNT(*) FROM outbound_parts p WHERE p.message_id = m.id)").fetchone()[0],
            "stray": conn.execute(
                "SELECT COUNT(*) FROM outbound_parts p WHERE NOT EXISTS "
                "(SELECT 1 FROM messages m WHERE m.id = p.message_id)").fetchone()[0],
            "messages": conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0],
            "outbound": conn.execute(
                "SELECT COUNT(*) FROM messages WHERE direction = 'out'").fetchone()[0],
        }
    finally:
        conn.close()


def test_backups_while_the_daemon_sends_and_receives_are_each_one_moment(
        make_desk: Callable[..., Desk], tmp_path: Path) -> None:
    desk = make_desk()
    db, stop = desk.cli.db, threading.Event()
    writer = Store(db)

    def agents() -> None:  # queue a two-part message every 20 ms, line 1 sends to line 2
        n = 0
        while not stop.wait(0.02):
            queue(writer, f"message {n} " + "x" * 170, to=LINE2)
            n += 1

    thread = threading.Thread(target=agents)
    thread.start()
    try:
        copies = [tmp_path / f"copy-{n}.db" for n in range(3)]
        shown = [backup(db, copy) for copy in copies]
    finally:
        stop.set()
        thread.join()
        writer.close()
    checked = [torn(copy) for copy in copies]
    assert all(c["integrity"] == [("ok",)] and c["journal"] == "delete" for c in checked)
    assert [(c["short"], c["stray"]) for c in checked] == [(0, 0)] * 3
    assert [c["messages"] for c in checked] == [s["messages"] for s in shown]
    assert checked[0]["messages"] < checked[-1]["messages"]  # it really wrote meanwhile
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".partial")]
    outbox = json.loads(modemd("outbox", "--db", str(copies[-1]), "--json",
                               "--limit", "100000").stdout)  # modemd reads the copy
    assert len(outbox) == checked[-1]["outbound"] > 0


def test_an_existing_path_is_kept_unless_force_and_a_copy_restores(tmp_path: Path) -> None:
    db = make_database(tmp_path / "modemd.db", messages=5)
    target = tmp_path / "backup.db"
    target.write_bytes(b"an older backup")
    done = modemd("backup", "--db", str(db), str(target))
    assert done.returncode == 1
    assert f"{target} exists: choose another PATH, or add --force" in done.stderr
    assert target.read_bytes() == b"an older backup"
    assert backup(db, target, "--force") == {"messages": 5}
    assert target.stat().st_mode & 0o077 == 0  # messages are private: 0600

    restored = tmp_path / "restored" / "modemd.db"  # restore: the copy is the database
    restored.parent.mkdir()
    restored.write_bytes(target.read_bytes())
    rows = json.loads(modemd("outbox", "--db", str(restored), "--json").stdout)
    assert [row["text"][:9] for row in rows] == [f"message {n}" for n in range(4, -1, -1)]


def test_what_it_refuses_says_why_and_leaves_nothing(tmp_path: Path) -> None:
    db = make_database(tmp_path / "modemd.db", messages=1)
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE notes (x)").connection.close()
    cases = {
        (str(tmp_path / "nowhere.db"), str(tmp_path / "a.db")): "there is no database at",
        (str(db), str(tmp_path / "missing" / "a.db")): "does not exist: create it",
        (str(db), str(tmp_path)): "is a folder: give the backup a file name",
        (str(db), str(db)): "is the database itself",
        (str(foreign), str(tmp_path / "b.db")): "is not modemd's database",
    }
    before = sorted(path.name for path in tmp_path.iterdir())
    for (source, target), said in cases.items():
        done = modemd("backup", "--db", source, target)
        assert done.returncode == 1, (source, target, done.stdout)
        assert said in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == before
