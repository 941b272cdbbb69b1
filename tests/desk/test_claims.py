"""The two-agent rules as every front end gets them from the desk: a claimed conversation
is refused to the other agents (nothing queued) unless forced, and the audit says who
forced it; a text soon after another agent's is queued with a warning; opening a thread
marks it read; claims and releases by name."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from modemd.config import Pace
from modemd.desk import claims
from modemd.desk.sending import Options, reply, send
from modemd.errors import InvalidInputError
from modemd.store import Store
from modemd.store.db import utc_now

from .conftest import CUSTOMER, OTHER, texted

UNPACED = Options(pace=Pace(enabled=False))  # these tests send faster than an agent may
FORCED = Options(force=True, pace=UNPACED.pace)


def clock(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone().strftime("%H:%M")


def outbox(store: Store) -> list[dict]:
    return store.views.messages("out")


def test_a_claimed_conversation_refuses_another_agent_and_queues_nothing(store: Store,
                                                                        line: int) -> None:
    store.contacts.add(CUSTOMER, "Alice", "alice")
    since = claims.claim(store, "alice", "bob").holder.since
    refused = (f"the conversation with {CUSTOMER} (Alice) is claimed by bob since "
               f"{clock(since)}: nothing queued; ask bob to release it, or add --force")
    with pytest.raises(InvalidInputError) as sent:
        send(store, CUSTOMER, "hi", operator="alice", options=UNPACED)
    assert str(sent.value) == refused
    [question] = texted(store, line, CUSTOMER, "is anyone there?")
    with pytest.raises(InvalidInputError) as replied:
        reply(store, question, "yes", operator="alice", options=UNPACED)
    assert str(replied.value) == refused
    assert outbox(store) == []
    assert [a["action"] for a in store.views.audit()] == ["claim", "contact_add"]
    assert send(store, CUSTOMER, "bob here", operator="bob", options=UNPACED).warnings == ()
    assert send(store, OTHER, "unclaimed", operator="alice", options=UNPACED).message_id


def test_force_goes_through_and_the_audit_says_over_whose_claim(store: Store,
                                                                line: int) -> None:
    since = claims.claim(store, CUSTOMER, "bob").holder.since
    sent = send(store, CUSTOMER, "urgent", operator="alice", options=FORCED)
    [question] = texted(store, line, CUSTOMER, "thanks, and?")
    answered = reply(store, question, "and more", operator="alice", options=FORCED)
    assert [m["id"] for m in outbox(store)] == [answered.message_id, sent.message_id]
    forced = [(a["operator"], a["message_id"], a["peer"], a["detail"])
              for a in store.views.audit() if a["action"] == "force"]
    detail = f"sent over bob's claim (since {since})"
    assert forced == [("alice", answered.message_id, CUSTOMER, detail),
                      ("alice", sent.message_id, CUSTOMER, detail)]
    assert store.claims.get(CUSTOMER).operator == "bob"  # forcing a text takes no claim
    own = send(store, CUSTOMER, "bob's own", operator="bob", options=FORCED)
    assert not any(a["action"] == "force" and a["message_id"] == own.message_id
                   for a in store.views.audit())


def test_a_text_soon_after_another_agent_s_is_queued_with_a_warning(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.contacts.add(CUSTOMER, "Alice", "carol")
    send(store, CUSTOMER, "from alice", operator="alice", options=UNPACED)
    assert send(store, CUSTOMER, "alice again", operator="alice", options=UNPACED).warnings == ()
    second = send(store, CUSTOMER, "from bob", operator="bob", options=UNPACED)
    assert second.warnings == (f"alice texted {CUSTOMER} (Alice) 0 s ago; yours is queued too",)
    assert [m["text"] for m in outbox(store)] == ["from bob", "alice again", "from alice"]
    later = utc_now() + timedelta(seconds=61)
    monkeypatch.setattr("modemd.desk.claims.utc_now", lambda: later)
    assert send(store, CUSTOMER, "a minute on", operator="carol", options=UNPACED).warnings == ()


def test_the_warning_counts_the_seconds(store: Store) -> None:
    sent = send(store, OTHER, "first", operator="alice", options=UNPACED)
    created = datetime.fromisoformat(store.views.message(sent.message_id)["created_at"])
    warning = claims.recent_other(store, OTHER, "bob", now=created + timedelta(seconds=12))
    assert warning == f"alice texted {OTHER} 12 s ago; yours is queued too"
    assert claims.recent_other(store, OTHER, "bob", now=created + timedelta(seconds=61)) is None


def test_claim_and_release_say_who_holds_it(store: Store) -> None:
    store.contacts.add(CUSTOMER, "Alice", "alice")
    held = claims.claim(store, "Alice", "alice").holder
    assert claims.claim(store, "alice", "alice").previous == held  # again: a no-op
    with pytest.raises(InvalidInputError) as refused:
        claims.claim(store, CUSTOMER, "bob")
    assert str(refused.value) == (f"the conversation with {CUSTOMER} (Alice) is claimed by "
                                  f"alice since {clock(held.since)}: ask alice to release "
                                  "it, or add --force to take it over")
    with pytest.raises(InvalidInputError, match=r"claimed by alice since .*, not by bob: ask "
                                                r"alice to release it, or add --force"):
        claims.release(store, "Alice", "bob")
    assert claims.claim(store, CUSTOMER, "bob", force=True).previous == held
    assert claims.release(store, CUSTOMER, "alice", force=True).operator == "bob"
    with pytest.raises(InvalidInputError, match=r"\(Alice\) is not claimed: nothing to release"):
        claims.release(store, CUSTOMER, "alice")
    with pytest.raises(InvalidInputError, match="no contact is named 'Bobby'"):
        claims.claim(store, "Bobby", "alice")


def test_conversations_of_one_agent(store: Store) -> None:
    claims.claim(store, CUSTOMER, "alice")
    claims.claim(store, OTHER, "bob")
    assert [c["peer"] for c in claims.conversations(store, mine="alice")] == [CUSTOMER]
    assert {c["peer"] for c in claims.conversations(store)} == {CUSTOMER, OTHER}
    with pytest.raises(InvalidInputError, match="--limit 0: give 1 or more"):
        claims.conversations(store, limit=0)


def test_opening_a_thread_marks_it_read_unless_kept_unread(store: Store, line: int) -> None:
    store.contacts.add(CUSTOMER, "Alice", "alice")
    texted(store, line, CUSTOMER, "one")
    texted(store, line, CUSTOMER, "two")
    kept = claims.open_thread(store, "alice", keep_unread=True)
    assert (kept.peer, kept.marked, [m["read_at"] for m in kept.messages]) == (
        CUSTOMER, 0, [None, None])
    opened = claims.open_thread(store, "+1 415 555 0123")
    assert opened.marked == 2 and all(m["read_at"] for m in opened.messages)
    assert store.views.messages("in", unread=True) == []
    assert claims.open_thread(store, CUSTOMER).marked == 0


def test_a_sender_name_opens_as_it_came(store: Store, line: int) -> None:
    texted(store, line, "ACME", "Your code is 1234")
    assert [m["text"] for m in claims.open_thread(store, "ACME").messages] == [
        "Your code is 1234"]
    assert claims.open_thread(store, "Nobody").messages == []


def test_a_database_that_cannot_be_written_still_shows_the_thread(store: Store,
                                                                  line: int) -> None:
    texted(store, line, CUSTOMER, "are you there?")
    store.database.db.conn.execute("PRAGMA query_only = ON")  # SQLITE_READONLY on writes
    shown = claims.open_thread(store, CUSTOMER)
    assert [m["text"] for m in shown.messages] == ["are you there?"]
    assert shown.marked == 0 and shown.messages[0]["read_at"] is None
    assert shown.not_marked.startswith("nothing was marked read: SQLite cannot write the "
                                       "database")
