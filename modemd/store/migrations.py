"""Named schema migrations, applied in order at start-up (by sqlite-utils, imported only
when one is pending: see migrating.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modemd.store import schema
from modemd.store.migrating import Migrations
from modemd.store.states import DeliveryStatus, EventKind, sql_list

if TYPE_CHECKING:
    import sqlite_utils

MIGRATIONS = Migrations("modemd")

# The status words as 0001 knew them; later migrations take theirs from the enums.
OUTBOUND_STATES = ("queued", "sending", "sent", "delivered", "failed", "expired", "unknown")
PART_STATES = ("queued", "sending", "sent", "delivered", "failed", "unknown")
INBOUND_STATES = ("received", "incomplete")


def _check(column: str, values: tuple[str, ...]) -> str:
    return f"CHECK ({column} IN ({', '.join(repr(v) for v in values)}))"


@MIGRATIONS(name="0001_initial")
def initial(db: sqlite_utils.Database) -> None:
    db.executescript(f"""
    CREATE TABLE lines (
        id INTEGER PRIMARY KEY,
        iccid TEXT UNIQUE, imsi TEXT, imei TEXT, own_number TEXT,
        name TEXT, port TEXT, manufacturer TEXT, model TEXT,
        state TEXT NOT NULL DEFAULT 'offline', reason TEXT,
        signal INTEGER, registration INTEGER, operator TEXT,
        pin_rejected_at TEXT, pin_rejected_hash TEXT,
        first_seen_at TEXT NOT NULL, last_seen_at TEXT NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
        peer TEXT NOT NULL, peer_type INTEGER,
        line_id INTEGER REFERENCES lines(id), requested_line INTEGER REFERENCES lines(id),
        text TEXT NOT NULL, encoding TEXT,
        status TEXT NOT NULL {_check("status", OUTBOUND_STATES + INBOUND_STATES)},
        parts INTEGER NOT NULL, parts_received INTEGER,
        reference INTEGER, wide INTEGER,
        operator TEXT, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT,
        created_at TEXT NOT NULL, sent_at TEXT, delivered_at TEXT, smsc_time TEXT,
        error TEXT
    );
    CREATE INDEX messages_due ON messages(direction, status, next_attempt_at);
    CREATE INDEX messages_thread ON messages(peer, created_at);
    CREATE TABLE outbound_parts (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id),
        seq INTEGER NOT NULL, pdu TEXT NOT NULL, tpdu_length INTEGER NOT NULL,
        status TEXT NOT NULL {_check("status", PART_STATES)},
        line_id INTEGER REFERENCES lines(id), mr INTEGER,
        submitted_at TEXT, report_status INTEGER, reported_at TEXT, error TEXT,
        UNIQUE (message_id, seq)
    );
    CREATE INDEX parts_by_mr ON outbound_parts(line_id, mr, status);
    CREATE TABLE inbound_parts (
        id INTEGER PRIMARY KEY,
        line_id INTEGER NOT NULL REFERENCES lines(id),
        fingerprint TEXT NOT NULL UNIQUE,
        message_id INTEGER REFERENCES messages(id),
        originator TEXT NOT NULL, originator_type INTEGER,
        reference INTEGER, total INTEGER NOT NULL, seq INTEGER NOT NULL, wide INTEGER,
        text TEXT NOT NULL, encoding TEXT, pdu TEXT NOT NULL, smsc_time TEXT,
        received_at TEXT NOT NULL
    );
    CREATE INDEX parts_waiting ON inbound_parts(line_id, originator, reference, total, wide)
        WHERE message_id IS NULL;
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        line_id INTEGER REFERENCES lines(id),
        part_id INTEGER REFERENCES outbound_parts(id),
        fingerprint TEXT NOT NULL UNIQUE,
        mr INTEGER NOT NULL, recipient TEXT NOT NULL, status INTEGER NOT NULL,
        outcome TEXT NOT NULL, discharge_time TEXT, pdu TEXT NOT NULL, received_at TEXT NOT NULL
    );
    CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        line_id INTEGER REFERENCES lines(id),
        fingerprint TEXT NOT NULL UNIQUE,
        pdu TEXT NOT NULL, reason TEXT NOT NULL, received_at TEXT NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL, operator TEXT NOT NULL, action TEXT NOT NULL,
        message_id INTEGER, detail TEXT
    );
    """)


@MIGRATIONS(name="0002_checked_states", transactional=False)
def checked_states(db: sqlite_utils.Database) -> None:
    """CHECK constraints from the state enums (per direction, on lines too); a pause's
    cause, an agent's resume and the moment a part's PDU was written get columns; the
    parts and reports of a message get indexes."""
    schema.rebuild(db, {"lines": schema.LINES, "messages": schema.MESSAGES,
                        "outbound_parts": schema.OUTBOUND_PARTS})
    # a message's parts and reports, read on every merge and `modemd show`, not scanned
    db.execute("CREATE INDEX IF NOT EXISTS inbound_parts_by_message "
               "ON inbound_parts(message_id)")
    db.execute("CREATE INDEX IF NOT EXISTS reports_by_part ON reports(part_id)")


@MIGRATIONS(name="0003_daemon_runs")
def daemon_runs(db: sqlite_utils.Database) -> None:
    """One row per `modemd run`: when it started, its last heartbeat, whether it stopped
    cleanly, and how many sends it found interrupted (health and metrics read these);
    reports by time, for the match ratio over a recent window."""
    db.executescript("""
    CREATE TABLE daemon_runs (
        id INTEGER PRIMARY KEY,
        pid INTEGER NOT NULL, version TEXT,
        started_at TEXT NOT NULL, heartbeat_at TEXT NOT NULL, stopped_at TEXT,
        interrupted INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX reports_by_time ON reports(received_at);  -- the match ratio's window
    """)


@MIGRATIONS(name="0004_desk")
def desk(db: sqlite_utils.Database) -> None:
    """Opt-outs (one row per number that may not be texted) and contacts (a name per
    number); the audit trail gets the number an action concerns. An opt-out's source is
    a plain id, not a foreign key: retention may prune the message, never the opt-out."""
    db.executescript("""
    CREATE TABLE optouts (
        peer TEXT PRIMARY KEY,  -- as it came: a sender name must not make a STOP fail
        since TEXT NOT NULL,
        source INTEGER, operator TEXT, keyword TEXT NOT NULL,
        CHECK ((source IS NULL) != (operator IS NULL))  -- by text, or by an agent
    );
    CREATE TABLE contacts (
        peer TEXT PRIMARY KEY CHECK (peer LIKE '+%'),
        name TEXT NOT NULL CHECK (length(trim(name)) > 0),
        operator TEXT NOT NULL, created_at TEXT NOT NULL
    );
    ALTER TABLE audit ADD COLUMN peer TEXT;
    CREATE INDEX audit_by_peer ON audit(peer, id);
    """)


@MIGRATIONS(name="0005_desk_live", transactional=False)
def desk_live(db: sqlite_utils.Database) -> None:
    """Scheduled and cancelled messages (new statuses: the CHECKs again), unread inbound,
    first texts to new contacts (pace limits count them), conversation claims, and the
    event outbox that `watch` follows. An event's id only grows (AUTOINCREMENT): a
    follower resumes after the last one it saw, even across pruning."""
    schema.rebuild(db, {"messages": schema.MESSAGES, "outbound_parts": schema.OUTBOUND_PARTS})
    db.executescript(f"""
    BEGIN IMMEDIATE;
    UPDATE messages SET read_at = created_at WHERE direction = 'in';  -- history is read
    CREATE INDEX messages_scheduled ON messages(status, scheduled_for)
        WHERE scheduled_for IS NOT NULL;
    CREATE INDEX messages_by_operator ON messages(operator, created_at)
        WHERE direction = 'out';
    CREATE INDEX messages_unread ON messages(peer)  -- unread counts cost what is unread
        WHERE direction = 'in' AND read_at IS NULL;
    CREATE INDEX messages_first_texts ON messages(created_at)  -- a line's day, for pace
        WHERE direction = 'out' AND new_contact = 1;
    CREATE TABLE claims (
        peer TEXT PRIMARY KEY, operator TEXT NOT NULL, since TEXT NOT NULL
    );
    CREATE TABLE events (
        event_id INTEGER PRIMARY KEY AUTOINCREMENT,
        event TEXT NOT NULL CHECK (event IN {sql_list(EventKind)}),
        at TEXT NOT NULL, peer TEXT, message_id INTEGER, line_id INTEGER,
        payload TEXT NOT NULL  -- the event object as it was at the change, JSON
    );
    CREATE INDEX events_by_time ON events(at);
    COMMIT;
    """)


@MIGRATIONS(name="0006_integrations")
def integrations(db: sqlite_utils.Database) -> None:
    """API bearer tokens (only a hash is kept), and the deliveries of events to webhooks
    and hooks: each target's cursor into the event outbox, and one row per event and
    target, so a crash between a change and its delivery loses nothing."""
    db.executescript(f"""
    CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        agent TEXT NOT NULL CHECK (length(trim(agent)) > 0),
        hash TEXT NOT NULL UNIQUE,  -- sha256 of the token: the token itself is never stored
        prefix TEXT NOT NULL,  -- its first characters, to tell tokens apart in a listing
        created_at TEXT NOT NULL, created_by TEXT NOT NULL,
        last_used_at TEXT, revoked_at TEXT
    );
    CREATE TABLE delivery_cursors (
        target TEXT PRIMARY KEY,  -- a webhook's url or a hook's command, as configured
        last_event_id INTEGER NOT NULL
    );
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL, event_id INTEGER NOT NULL, peer TEXT,
        status TEXT NOT NULL CHECK (status IN {sql_list(DeliveryStatus)}),
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, last_error TEXT,
        created_at TEXT NOT NULL, delivered_at TEXT,
        UNIQUE (target, event_id)
    );
    CREATE INDEX deliveries_due ON deliveries(target, status, next_attempt_at);
    """)
