"""SQLite state: schema, migrations, message state machine, queue claims, delivery-report
correlation, reassembly. Knows no AT and no serial port."""

from __future__ import annotations

from pathlib import Path

from modemd.store.db import Database, StoreError
from modemd.store.enqueue import prepare
from modemd.store.inbound import Inbox, Recorded
from modemd.store.lines import LineIdentity, Lines, chooser
from modemd.store.outbound import Claim, IllegalTransition, NewMessage, NotFound, Outbox
from modemd.store.reports import Reports
from modemd.store.views import Views


class Store:
    """Everything in one database file; safe to share between threads."""

    def __init__(self, path: Path | str) -> None:
        self.database = Database(path)
        self.lines = Lines(self.database)
        self.outbox = Outbox(self.database)
        self.inbox = Inbox(self.database)
        self.reports = Reports(self.database)
        self.views = Views(self.database)

    def close(self) -> None:
        self.database.close()


__all__ = [
    "Claim",
    "IllegalTransition",
    "LineIdentity",
    "NewMessage",
    "NotFound",
    "Recorded",
    "Store",
    "StoreError",
    "chooser",
    "prepare",
]
