"""The daemon's log on stderr: for the journal, or for a file or terminal.

Under journald (stderr is the stream JOURNAL_STREAM names) each line starts with its
syslog priority, `<3>` to `<7>` as sd-daemon(3) describes, and has no timestamp (the
journal stamps it). Elsewhere each line starts with a UTC timestamp and the level.
Either way a line logged by a line's threads (the worker `line-NAME`, its reader
`at-read-NAME` and URC dispatcher `at-urc-NAME`) names the line, so
`journalctl -u modemd -p warning` reads `<4>line desk-1: offline (port gone)`.
"""

from __future__ import annotations

import logging
import os
import sys
import time

# sd-daemon(3) prefixes: the syslog priority of each Python level
PRIORITIES = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6,
              logging.DEBUG: 7}
LINE_THREADS = ("line-", "at-read-", "at-urc-")  # how the services name a line's threads


class LineName(logging.Filter):
    """Sets record.line to the line whose thread logged it (None for others)."""

    def filter(self, record: logging.LogRecord) -> bool:
        thread = record.threadName or ""
        record.line = next((thread[len(prefix):] for prefix in LINE_THREADS
                            if thread.startswith(prefix)), None)
        return True


class DaemonFormatter(logging.Formatter):
    def __init__(self, *, journal: bool) -> None:
        super().__init__("%(message)s" if journal else
                         "%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s: %(message)s",
                         datefmt="%Y-%m-%dT%H:%M:%S")
        self.converter = time.gmtime  # one clock with the database's UTC stamps
        self.journal = journal

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = getattr(record, "line", None)
        if line and not record.message.startswith((f"line {line}", f"{line}:")):
            record.message = f"line {line}: {record.message}"
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if not self.journal:
            return text
        # every line of a traceback gets the priority, or the journal files it as info
        prefix = f"<{_priority(record.levelno)}>"
        return "\n".join(prefix + part for part in text.split("\n"))


def _priority(level: int) -> int:
    return next((PRIORITIES[known] for known in sorted(PRIORITIES, reverse=True)
                 if level >= known), 7)


def under_journal() -> bool:
    """Is stderr the journal's stream? JOURNAL_STREAM is "DEVICE:INODE" of it; a unit
    that redirects stderr elsewhere keeps the variable, so it is compared."""
    device, _, inode = os.environ.get("JOURNAL_STREAM", "").partition(":")
    try:
        stat = os.fstat(sys.stderr.fileno())
        return (int(device), int(inode)) == (stat.st_dev, stat.st_ino)
    except (ValueError, OSError, AttributeError):
        return False


def setup(level: str) -> None:
    """The root logger to stderr at level (DEBUG, INFO, WARNING, ERROR)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(LineName())
    handler.setFormatter(DaemonFormatter(journal=under_journal()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler says "Running job ..." at INFO for every job: only its warnings
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING,
                                                  logging.getLevelName(level)))
