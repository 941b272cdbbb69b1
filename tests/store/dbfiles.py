"""Database files in the states the fault tests need: a folder snapshot to prove nothing
was touched, damage, a newer modemd's migration, another process holding a lock, and a
real small filesystem to fill."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from modemd.store import Store, prepare

# Another process: connects, runs the script (argv[2]), says "held", holds until stdin ends.
_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.executescript(sys.argv[2])
print("held", flush=True)
sys.stdin.read()
"""
EXCLUSIVE_WRITER = "BEGIN EXCLUSIVE;"  # in WAL mode readers go on, writers wait
EXCLUSIVE_FILE = "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;"  # nobody else reads either


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry of folder with its mode and content (sockets by inode), and the folder's
    own mode: equal snapshots mean nothing was created, removed or changed."""
    entries: dict[str, tuple] = {".": (folder.stat().st_mode,)}
    for entry in sorted(folder.iterdir()):
        stat = entry.lstat()
        body = (hashlib.sha256(entry.read_bytes()).hexdigest() if entry.is_file()
                else stat.st_ino)
        entries[entry.name] = (stat.st_mode, body)
    return entries


def make_database(path: Path, messages: int = 300) -> Path:
    """A modemd database with that many queued messages, closed (no -wal left)."""
    store = Store(path)
    with store.database.write():
        for n in range(messages):
            store.outbox.enqueue(prepare("+12015550123", f"message {n} " + "x" * 100,
                                         operator="alice"))
    store.close()
    return path


def write_garbage(path: Path) -> Path:
    path.write_bytes(bytes(range(256)) * 32)
    return path


def damage_root_page(path: Path, table: str) -> Path:
    """Overwrite the b-tree header of table's root page (mid-file in a big database)."""
    conn = sqlite3.connect(path)
    root, = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    page_size, = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    assert root > 1, "damage a page in the middle, not the header page"
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * 64)
    return path


def mark_newer(path: Path, name: str = "9999_from_the_future") -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('modemd', ?, '2030-01-01')", (name,))
    conn.close()
    return path


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("messages", "outbound_parts", "audit")}
    finally:
        conn.close()


def integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


@contextmanager
def held(path: Path, script: str) -> Iterator[int]:
    """Another process holding path with script's lock; yields its pid."""
    process = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), script],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "held"
        yield process.pid
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


@contextmanager
def small_disk(folder: Path, size: str = "4m") -> Iterator[Path]:
    """A tmpfs of that size mounted on folder (skips where mounting is not allowed)."""
    folder.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command: the full-disk tests need a small tmpfs")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs (needs root): {done.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path) -> Path:
    """Write a filler file until the filesystem refuses (ENOSPC); remove it to free."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, bytes(4096))
    except OSError as error:
        assert error.errno == errno.ENOSPC, error
    finally:
        os.close(fd)
    return filler
