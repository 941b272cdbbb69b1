"""What can be wrong with the database's files, found without touching them, and the
errors that say so (what, why, what to do).

The checks here only stat files and read /proc: a refused database gets no -wal, -shm
or lock file beside it. Python never opens the database file itself: closing any
descriptor of a file drops every POSIX lock this process holds on it, SQLite's too,
so whether it is SQLite at all is left to SQLite (it touches nothing to say "file is
not a database").

Rules, for every command: the database file, any -wal/-shm beside it and its folder
must be writable (WAL readers write the -shm index too). A file or folder without any
write bit counts as read-only even for root: someone made it so on purpose. A missing
or empty file is created only where the caller allows it (`modemd run`, `modemd send`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
from pathlib import Path

from modemd.errors import ModemdError


class StoreError(ModemdError):
    """The database cannot be used as asked; a subclass says why."""


class StoreMissing(StoreError):
    """There is no database at the path, and the command only reads one."""


class StoreReadOnly(StoreError):
    """The file, a -wal/-shm beside it, its folder or its filesystem cannot be written."""


class StoreCorrupt(StoreError):
    """Not a SQLite database, not modemd's, or damaged (SQLITE_CORRUPT, quick_check)."""


class StoreTooNew(StoreError):
    """Migrations this modemd does not know: a newer modemd wrote it. Left untouched."""


class StoreLocked(StoreError):
    """Another process kept the database locked for longer than the bounded wait."""


class StoreInUse(StoreError):
    """Another `modemd run` holds the database's daemon lock."""


class StoreFull(StoreError):
    """The filesystem holding the database is full; the write was rolled back whole."""


def missing(path: Path) -> StoreMissing:
    return StoreMissing(
        f"there is no database at {path}: `modemd run` or `modemd send` creates one; if it "
        "lives elsewhere, point --db, $MODEMD_DB or `database` in the config at it")


def is_empty(path: Path) -> bool:
    """No file, or one SQLite has created but not yet written (a database being made)."""
    return not path.exists() or (path.is_file() and path.stat().st_size == 0)


def check_files(path: Path, *, create: bool) -> None:
    """Raise the StoreError that opening path would end in; touches nothing."""
    try:
        if not path.exists():
            if not create:
                raise missing(path)
            _check_folder(_existing_ancestor(path.parent), path)
            return
        if not path.is_file():
            raise StoreError(f"{path} is not a file: point --db at the database file")
        _check_writable(path)
    except OSError as error:
        raise StoreError(f"cannot look at the database {path}: {error}: check the "
                         "permissions of the folders above it, or point --db elsewhere") from error


def _existing_ancestor(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _check_writable(path: Path) -> None:
    if os.statvfs(path.parent).f_flag & os.ST_RDONLY:
        raise StoreReadOnly(f"the database {path} is on a read-only filesystem: remount it "
                            "read-write, or point --db elsewhere")
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists() and not _writable(file, os.W_OK):
            raise StoreReadOnly(
                f"the database {file} is read-only (mode {_mode(file)}): make it writable by "
                f"the user running modemd ({_user()}), or point --db elsewhere")
    _check_folder(path.parent, path)


def _check_folder(folder: Path, path: Path) -> None:
    if not folder.is_dir():
        raise StoreError(f"{folder} is not a folder, so the database {path} cannot be there: "
                         "point --db elsewhere")
    if not _writable(folder, os.W_OK | os.X_OK):
        raise StoreReadOnly(
            f"the folder {folder} holding the database {path} is not writable (mode "
            f"{_mode(folder)}): SQLite keeps its -wal and -shm files beside the database, so "
            f"make the folder writable by the user running modemd ({_user()}), or point --db "
            "elsewhere")


def _writable(path: Path, access: int) -> bool:
    return bool(path.stat().st_mode & 0o222) and os.access(path, access)


def _mode(path: Path) -> str:
    return f"{path.stat().st_mode & 0o7777:04o}"


def _user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return f"uid {os.geteuid()}"


def free_bytes(path: Path) -> int:
    """Bytes an unprivileged writer may still use on the filesystem holding path."""
    stats = os.statvfs(_existing_ancestor(path.parent))
    return stats.f_bavail * stats.f_frsize


def full(path: Path) -> StoreFull:
    return StoreFull(f"the disk holding the database {path} is full ({free_bytes(path)} bytes "
                     "free): free space on it, or move the database (--db); nothing was written")


def locked(path: Path, seconds: float) -> StoreLocked:
    holders = ", ".join(lock_holders(path))
    return StoreLocked(
        f"the database {path} is locked by another process{f' ({holders})' if holders else ''} "
        f"and stayed locked for {seconds:g} s: let it finish or stop it (`fuser {path}` lists "
        "the processes that have it open); nothing was written")


def damaged(path: Path, detail: str) -> StoreCorrupt:
    return StoreCorrupt(
        f"the database {path} is damaged ({detail}); modemd changed nothing in it. Move it "
        f"aside and restore a backup, or rescue what is readable with `sqlite3 {path} "
        ".recover | sqlite3 NEW.db`")


def lock_holders(path: Path) -> list[str]:
    """'pid N name' of other processes holding write locks on the database or its -shm
    (SQLite's write lock in WAL mode); [] where /proc/locks says nothing."""
    pids = _lockers((path, Path(f"{path}-shm")), "POSIX") - {os.getpid()}
    return [_process(pid) for pid in sorted(pids)]


def _lockers(files: tuple[Path, ...], kind: str) -> set[int]:
    """Pids holding (not waiting for) write locks of kind (POSIX, FLOCK) on files."""
    inodes = set()
    for file in files:
        with contextlib.suppress(OSError):
            stat = file.stat()
            inodes.add(f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}")
    try:
        table = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return set()
    return {int(fields[4]) for fields in (line.split() for line in table)
            if len(fields) >= 6 and fields[1] == kind and fields[3] == "WRITE"
            and fields[5] in inodes and fields[4].isdigit()}


def _process(pid: int) -> str:
    try:
        return f"pid {pid} {Path(f'/proc/{pid}/comm').read_text().strip()}"
    except OSError:
        return f"pid {pid}"


class DaemonLock:
    """An flock on DB.daemon.lock (holding the pid) for as long as one `modemd run` uses
    DB; released by release() (which removes the file) or when the process ends, even
    by kill -9 (the file stays, unlocked). Whoever locks a file checks that the path
    still names it, so removing it cannot let two daemons in."""

    def __init__(self, database: Path) -> None:
        self.path = Path(f"{database}.daemon.lock")
        self.database = database
        self._fd: int | None = None
        self.created = False  # by this acquire(), rather than left by an earlier daemon

    @staticmethod
    def held(database: Path) -> bool | None:
        """Does a daemon hold DB's lock now? Read from /proc/locks, taking no lock, so
        asking never gets in a starting daemon's way. None where /proc/locks is absent."""
        path = Path(f"{database}.daemon.lock")
        if not path.exists():
            return False  # a clean stop removes it; kill -9 leaves it, unlocked
        if not Path("/proc/locks").exists():
            return None
        return bool(_lockers((path,), "FLOCK"))

    @classmethod
    def acquire(cls, database: Path, *, record: bool = True) -> DaemonLock:
        """Held, or StoreInUse naming the daemon that holds it (from /proc/locks: the
        file's pid may be a dead daemon's until record() runs)."""
        lock = cls(database)
        try:
            while not lock._take():  # the file was replaced between open and flock: again
                pass
        except OSError as error:
            raise StoreError(f"cannot take the daemon lock {lock.path}: {error}: make it "
                             f"writable by the user running modemd ({_user()})") from error
        if record:
            lock.record()
        return lock

    def record(self) -> None:
        """Write this process's pid into the lock file, for people (`cat`)."""
        assert self._fd is not None, "record() needs the lock held"
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{os.getpid()}\n".encode())

    def _take(self) -> bool:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            self.created = True
        except FileExistsError:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = ", ".join(map(str, sorted(_lockers((self.path,), "FLOCK")))) or "unknown"
            raise StoreInUse(
                f"another modemd run (pid {holder}) is using the database {self.database}: "
                "stop it first (e.g. `systemctl stop modemd`), or give this daemon its own "
                "--db") from None
        with contextlib.suppress(FileNotFoundError):
            if os.fstat(fd).st_ino == self.path.stat().st_ino:
                self._fd = fd
                return True
        os.close(fd)
        return False

    def release(self, *, remove: bool = True) -> None:
        """Unlock; remove the lock file first (still ours while locked) unless told not
        to (a refused start leaves one an earlier daemon left)."""
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            if remove and os.fstat(self._fd).st_ino == self.path.stat().st_ino:
                self.path.unlink()
        os.close(self._fd)
        self._fd = None
