"""SQLite state: schema, migrations, message state machine, queue claims, delivery-report
correlation, reassembly. Knows no AT and no serial port."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modemd.store.db import Database, StoreError
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
from modemd.store.states import (
    EventKind,
    IllegalTransition,
    InboundStatus,
    LineState,
    OutboundStatus,
    PartStatus,
    PauseCause,
)

if TYPE_CHECKING:
    from modemd.store.claims import Claims, ConversationClaim, Released, Taken
    from modemd.store.contacts import Contact, Contacts
    from modemd.store.conversations import Conversations
    from modemd.store.deliveries import Deliveries
    from modemd.store.enqueue import prepare
    from modemd.store.events import Events
    from modemd.store.inbound import Inbox, Recorded
    from modemd.store.keywords import Keyword, keyword
    from modemd.store.lines import LineIdentity, Lines, chooser
    from modemd.store.optouts import OptOut, Optouts
    from modemd.store.outbound import Claim, NewMessage, Outbox
    from modemd.store.reports import Reports
    from modemd.store.runs import Runs
    from modemd.store.schedule import Schedule
    from modemd.store.stats import Stats
    from modemd.store.tokens import Token, Tokens
    from modemd.store.transitions import NotFound
    from modemd.store.views import Views

# The rest of the package is imported when first named, so that a command loads only
# the modules it uses (CLI start-up): name -> the module that defines it.
_LAZY = {
    "Claim": "outbound", "NewMessage": "outbound", "Outbox": "outbound",
    "Claims": "claims", "ConversationClaim": "claims", "Released": "claims",
    "Taken": "claims", "Contact": "contacts", "Contacts": "contacts",
    "Conversations": "conversations", "Deliveries": "deliveries", "prepare": "enqueue",
    "Events": "events", "Inbox": "inbound", "Recorded": "inbound",
    "Keyword": "keywords", "keyword": "keywords", "LineIdentity": "lines",
    "Lines": "lines", "chooser": "lines", "OptOut": "optouts", "Optouts": "optouts",
    "Reports": "reports", "Runs": "runs", "Schedule": "schedule", "Stats": "stats",
    "Token": "tokens", "Tokens": "tokens", "NotFound": "transitions", "Views": "views",
}
# Store's attribute -> its repository class, made on first use.
_REPOSITORIES = {
    "lines": "Lines", "outbox": "Outbox", "inbox": "Inbox", "reports": "Reports",
    "views": "Views", "runs": "Runs", "stats": "Stats", "optouts": "Optouts",
    "contacts": "Contacts", "events": "Events", "claims": "Claims",
    "conversations": "Conversations", "schedule": "Schedule",
    "deliveries": "Deliveries", "tokens": "Tokens",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _imported(name)


def _imported(name: str) -> Any:
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


class Store:
    """Everything in one database file; safe to share between threads."""

    lines: Lines
    outbox: Outbox
    inbox: Inbox
    reports: Reports
    views: Views
    runs: Runs
    stats: Stats
    optouts: Optouts
    contacts: Contacts
    events: Events
    claims: Claims
    conversations: Conversations
    schedule: Schedule
    deliveries: Deliveries
    tokens: Tokens

    def __init__(self, path: Path | str, *, create: bool = True) -> None:
        """create=False: a missing database is StoreMissing (commands that only read)."""
        self.database = Database(path, create=create)

    def __getattr__(self, name: str) -> Any:
        """A repository, made when first used; two threads racing here each make one,
        which is harmless: a repository holds nothing but the database."""
        if name not in _REPOSITORIES:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        repository = _imported(_REPOSITORIES[name])(self.database)
        setattr(self, name, repository)
        return repository

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
