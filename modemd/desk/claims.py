"""Conversations as agents share them: the list (unread counts, claims), a thread opened
(its inbound messages read from then on), and the two-agent rules: a conversation one
agent claimed is refused to the others unless they force it (and the audit says they
did); a text to a peer another agent texted within the last minute is queued with a
warning, so neither agent is surprised by the other's message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from modemd.desk.people import looks_like_number, peer_for
from modemd.errors import InvalidInputError
from modemd.sms.numbers import to_e164
from modemd.store import ConversationClaim, Store, StoreFull, StoreReadOnly, Taken
from modemd.store.db import iso, utc_now

RECENT = timedelta(seconds=60)  # another agent's text this recent gets the sender a warning


def who(store: Store, peer: str) -> str:
    """The peer as agents read it: the number, and the contact's name if it has one."""
    contact = store.contacts.get(peer)
    return named(peer, None if contact is None else contact.name)


def named(peer: str, contact: str | None) -> str:
    return peer if contact is None else f"{peer} ({contact})"


def claimed_words(taken: dict) -> str:
    """What a claim did (claim_conversation's answer), as every front end says it."""
    shown, agent = named(taken["peer"], taken["contact"]), taken["claimed_by"]
    if taken["previous"] is None:
        return f"{shown}: claimed by {agent}"
    if taken["previous"] == agent:
        return f"{shown}: already yours ({agent}) since {clock(taken['since'])}"
    return f"{shown}: taken over from {taken['previous']} by {agent}"


def released_words(released: dict) -> str:
    """What a release did (release_conversation's answer), as every front end says it."""
    holder = released["released_from"]
    owner = "" if holder == released["released_by"] else f" ({holder}'s)"
    return f"{named(released['peer'], released['contact'])}: released{owner}"


def clock(stamp: str) -> str:
    """A stored time as a local clock reading: 14:02 today, else with its date."""
    moment = datetime.fromisoformat(stamp).astimezone()
    today = moment.date() == datetime.now(moment.tzinfo).date()
    return moment.strftime("%H:%M" if today else "%Y-%m-%d %H:%M")


def _claimed(store: Store, claim: ConversationClaim) -> str:
    return (f"the conversation with {who(store, claim.peer)} is claimed by {claim.operator} "
            f"since {clock(claim.since)}")


# ---- the checks every send and reply makes, inside its write transaction ---------------


def check(store: Store, peer: str, operator: str, force: bool) -> ConversationClaim | None:
    """Refuse a text to a conversation another agent claimed, unless force; the claim
    forced past (for the audit), None when the conversation is free or the sender's."""
    claim = store.claims.get(peer)
    if claim is None or claim.operator == operator:
        return None
    if not force:
        raise InvalidInputError(f"{_claimed(store, claim)}: nothing queued; ask "
                                f"{claim.operator} to release it, or add --force")
    return claim


def recent_other(store: Store, peer: str, operator: str,
                 now: datetime | None = None) -> str | None:
    """The warning for a text to a peer another agent texted within RECENT, or None."""
    now = now or utc_now()
    since = iso(now - RECENT)
    assert since is not None
    other = store.conversations.last_text_by_another(peer, operator, since)
    if other is None:
        return None
    seconds = max(0, round((now - datetime.fromisoformat(other["created_at"])).total_seconds()))
    return (f"{other['operator'] or 'someone'} texted {who(store, peer)} {seconds} s ago; "
            "yours is queued too")


def forced(store: Store, claim: ConversationClaim | None, operator: str,
           message_id: int) -> None:
    """A text check() let past another agent's claim: audited as such (a no-op else)."""
    if claim is not None:
        store.claims.sent_over(claim, operator, message_id)


# ---- claims ---------------------------------------------------------------------------


def claim(store: Store, whom: str, operator: str, *, force: bool = False,
          default_region: str | None = None) -> Taken:
    """The operator takes the conversation with whom (a number or a contact's name);
    another agent's claim is refused unless force, which takes it over."""
    peer = peer_for(store, whom, default_region)
    taken = store.claims.claim(peer, operator, force=force)
    if taken.holder.operator != operator:
        raise InvalidInputError(f"{_claimed(store, taken.holder)}: ask "
                                f"{taken.holder.operator} to release it, or add --force to "
                                "take it over")
    return taken


def release(store: Store, whom: str, operator: str, *, force: bool = False,
            default_region: str | None = None) -> ConversationClaim:
    """Give up the claim (the holder, or anyone with force); the claim released."""
    peer = peer_for(store, whom, default_region)
    released = store.claims.release(peer, operator, force=force)
    if released.previous is None:
        raise InvalidInputError(f"the conversation with {who(store, peer)} is not claimed: "
                                "nothing to release (`modemd conversations` shows claims)")
    if not released.released:
        raise InvalidInputError(f"{_claimed(store, released.previous)}, not by {operator}: "
                                f"ask {released.previous.operator} to release it, or add "
                                "--force")
    return released.previous


# ---- reading ----------------------------------------------------------------------------


def conversations(store: Store, *, unread: bool = False, mine: str | None = None,
                  search: str | None = None, limit: int = 50) -> list[dict]:
    """One row per contact, the most recent first; mine: only those this agent claimed;
    search: only those whose number, contact name or any message's text holds it."""
    if limit < 1:
        raise InvalidInputError(f"--limit {limit}: give 1 or more")
    if search is not None and not search.strip():
        raise InvalidInputError("--search \"\": give some text or digits to look for, "
                                "or leave --search out to list every conversation")
    return store.conversations.list(unread_only=unread, claimed_by=mine,
                                    search=None if search is None else search.strip(),
                                    limit=limit)


@dataclass(frozen=True)
class Thread:
    peer: str
    messages: list[dict]  # oldest first, read_at as it is after the opening
    marked: int  # inbound messages this opening marked read
    not_marked: str | None  # why none could be marked (the database cannot be written)


def open_thread(store: Store, whom: str, *, keep_unread: bool = False,
                default_region: str | None = None, limit: int = 100) -> Thread:
    """The conversation with whom (a number, a contact's name, or a sender name as it
    came); its unread inbound messages are read from now on unless keep_unread. A
    database that cannot be written still shows the thread, saying none was marked."""
    peer = thread_peer(store, whom, default_region)
    marked, not_marked = 0, None
    if not keep_unread:
        try:
            marked = store.conversations.mark_read(peer)
        except (StoreReadOnly, StoreFull) as error:
            not_marked = f"nothing was marked read: {error}"
    return Thread(peer, store.views.thread(peer, limit), marked, not_marked)


def thread_peer(store: Store, whom: str, default_region: str | None) -> str:
    """A peer as messages name it (a short code, a sender name such as ACME) is taken as
    it is; else a number in any form becomes E.164, and a name a contact's number."""
    if store.views.thread(whom, limit=1):
        return whom
    if looks_like_number(whom):
        return to_e164(whom, default_region)
    return peer_for(store, whom, default_region) if store.contacts.named(whom) else whom
