"""SQLite state: schema, migrations, message state machine, queue claims, delivery-report
correlation, reassembly. Knows no AT and no serial port."""

from __future__ import annotations

from pathlib import Path

from modemd.store.claims import Claims, ConversationClaim, Released, Taken
from modemd.store.contacts import Contact, Contacts
from modemd.store.conversations import Conversations
from modemd.store.db import Database, StoreError
from modemd.store.deliveries import Deliveries
from modemd.store.enqueue import prepare
from modemd.store.events import Events
from modemd.store.faults import (
    DaemonLock,
    StoreCorrupt,
    StoreFull,
    StoreInUse,
    StoreLocked,
    StoreMissing,
    StoreReadOnly,
    StoreTooNew,
    check_files,
)
from modemd.store.inbound import Inbox, Recorded
from modemd.store.keywords import Keyword, keyword
from modemd.store.lines import LineIdentity, Lines, chooser
from modemd.store.optouts import OptOut, Optouts
from modemd.store.outbound import Claim, NewMessage, Outbox
from modemd.store.reports import Reports
from modemd.store.runs import Runs
from modemd.store.schedule import Schedule
from modemd.store.states import (
    EventKind,
    IllegalTransition,
    InboundStatus,
    LineState,
    OutboundStatus,
    PartStatus,
    PauseCause,
)
from modemd.store.stats import Stats
from modemd.store.tokens import Token, Tokens
from modemd.store.transitions import NotFound
from modemd.store.views import Views


class Store:
    """Everything in one database file; safe to share between threads."""

    def __init__(self, path: Path | str, *, create: bool = True) -> None:
        """create=False: a missing database is StoreMissing (commands that only read)."""
        self.database = Database(path, create=create)
        self.lines = Lines(self.database)
        self.outbox = Outbox(self.database)
        self.inbox = Inbox(self.database)
        self.reports = Reports(self.database)
        self.views = Views(self.database)
        self.runs = Runs(self.database)
        self.stats = Stats(self.database)
        self.optouts = Optouts(self.database)
        self.contacts = Contacts(self.database)
        self.events = Events(self.database)
        self.claims = Claims(self.database)
        self.conversations = Conversations(self.database)
        self.schedule = Schedule(self.database)
        self.deliveries = Deliveries(self.database)
        self.tokens = Tokens(self.database)

    def close(self) -> None:
        self.database.close()

    @staticmethod
    def lock_for_daemon(path: Path | str) -> DaemonLock:
        """`modemd run`'s first step, before it touches anything: the daemon lock (one
        daemon per database, StoreInUse otherwise), then the full start-up check
        (quick_check, the write lock within the busy timeout). Any refusal leaves the
        folder as it was. Held until release() (call it at shutdown: it also removes
        DB.daemon.lock) or the process ends."""
        path = Path(path)
        check_files(path, create=True)
        path.parent.mkdir(parents=True, exist_ok=True)  # a new install: run creates it all
        lock = DaemonLock.acquire(path, record=False)
        try:
            Database(path, verify=True).close()
        except BaseException:
            lock.release(remove=lock.created)  # the folder as it was
            raise
        lock.record()
        return lock


__all__ = [
    "Claim",
    "Contact",
    "ConversationClaim",
    "DaemonLock",
    "EventKind",
    "Events",
    "IllegalTransition",
    "InboundStatus",
    "Keyword",
    "LineIdentity",
    "LineState",
    "NewMessage",
    "NotFound",
    "OptOut",
    "OutboundStatus",
    "PartStatus",
    "PauseCause",
    "Recorded",
    "Released",
    "Store",
    "StoreCorrupt",
    "StoreError",
    "StoreFull",
    "StoreInUse",
    "StoreLocked",
    "StoreMissing",
    "StoreReadOnly",
    "StoreTooNew",
    "Taken",
    "Token",
    "chooser",
    "keyword",
    "prepare",
]
