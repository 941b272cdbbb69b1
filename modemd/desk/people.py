"""Who a front end means: a number (E.164, or national with default_region) or the
name of a contact; and the changes agents make to contacts and opt-outs."""

from __future__ import annotations

from typing import TypeVar

from modemd.errors import InvalidInputError
from modemd.sms.numbers import to_e164
from modemd.store import Contact, OptOut, Store

T = TypeVar("T")


def looks_like_number(text: str) -> bool:
    """Contact names never start like this (contacts.py refuses them), so no guessing."""
    head = text.strip()[:1]
    return head == "+" or head.isdigit() or head == "("


def peer_for(store: Store, who: str, default_region: str | None) -> str:
    """The E.164 number `who` stands for: a number, or a contact's exact name (any
    case). An unknown or ambiguous name is refused with the candidates."""
    if looks_like_number(who):
        return to_e164(who, default_region)
    found = store.contacts.named(who)
    if len(found) == 1:
        return found[0].peer
    if found:
        listed = ", ".join(f"{c.peer} ({c.name})" for c in found)
        raise InvalidInputError(f"{len(found)} contacts are named {who!r}: {listed}; give "
                                "the number instead")
    raise InvalidInputError(f"no contact is named {who!r}{_near(store, who)}: give a number "
                            "(E.164, e.g. +14155550123) or add the name with "
                            "`modemd contact add NUMBER NAME`")


def _near(store: Store, who: str) -> str:
    """Contacts whose name contains what was typed: the agent may have meant one."""
    wanted = who.strip().casefold()
    near = [c for c in store.contacts.list() if wanted and wanted in c.name.casefold()]
    listed = ", ".join(f"{c.name} ({c.peer})" for c in near[:5])
    return f" (did you mean {listed}?)" if near else ""


def add_contact(store: Store, number: str, name: str, operator: str,
                default_region: str | None) -> tuple[Contact, Contact | None]:
    """The contact as stored, and the one it replaced (a rename) or None."""
    peer = to_e164(number, default_region)
    old = store.contacts.add(peer, name, operator)
    new = store.contacts.get(peer)
    assert new is not None
    return new, old


def remove_contact(store: Store, who: str, operator: str,
                   default_region: str | None) -> Contact:
    peer = peer_for(store, who, default_region)
    return _removed(store.contacts.remove(peer, operator),
                    f"{peer} is not a contact: `modemd contact list` shows them")


def add_optout(store: Store, who: str, operator: str,
               default_region: str | None) -> tuple[OptOut, bool]:
    """An opt-out the peer gave another way; and whether it is new (False: it stood)."""
    peer = peer_for(store, who, default_region)
    existed = store.optouts.get(peer) is not None
    return store.optouts.add(peer, operator), not existed


def remove_optout(store: Store, who: str, operator: str,
                  default_region: str | None) -> OptOut:
    peer = peer_for(store, who, default_region)
    return _removed(store.optouts.remove(peer, operator),
                    f"{peer} has not opted out: `modemd optouts` lists who has")


def _removed(removed: T | None, otherwise: str) -> T:
    """What a removal took away; removing nothing is refused, saying where to look."""
    if removed is None:
        raise InvalidInputError(otherwise)
    return removed
