"""desk.sending.send, as every front end calls it: names resolved, opt-outs refused
with nothing queued, bad input refused the way `prepare` refuses it."""

from __future__ import annotations

import pytest

from modemd.desk.people import peer_for
from modemd.desk.sending import send
from modemd.errors import InvalidInputError
from modemd.store import Store

from .conftest import CUSTOMER, OTHER, texted


def outbox(store: Store) -> list[dict]:
    return store.views.messages("out")


def test_a_send_queues_and_says_what(store: Store) -> None:
    sent = send(store, "+1 415 555 0123", "hello", operator="alice")
    [queued] = outbox(store)
    assert (sent.message_id, sent.peer, sent.parts, sent.encoding) == (
        queued["id"], CUSTOMER, 1, "gsm7")
    assert (queued["peer"], queued["operator"], queued["status"]) == (CUSTOMER, "alice", "queued")


def test_a_national_number_needs_the_region(store: Store) -> None:
    assert send(store, "(415) 555-0123", "hi", operator="a", default_region="US").peer == CUSTOMER
    with pytest.raises(InvalidInputError, match="no country code"):
        send(store, "415 555 0123", "hi", operator="a")


def test_a_send_to_an_opted_out_number_is_refused_and_queues_nothing(store: Store,
                                                                     line: int) -> None:
    [stop] = texted(store, line, CUSTOMER, "Stop!")
    since = store.optouts.get(CUSTOMER).since
    with pytest.raises(InvalidInputError) as refused:
        send(store, CUSTOMER, "one more thing", operator="alice")
    assert str(refused.value) == (f"{CUSTOMER} opted out (STOP) at {since}: nothing queued; "
                                  "they can opt back in by texting START")
    assert outbox(store) == []
    assert [a["action"] for a in store.views.audit()] == ["optout"]  # no send recorded
    texted(store, line, CUSTOMER, "START")
    send(store, CUSTOMER, "welcome back", operator="alice")
    assert [m["text"] for m in outbox(store)] == ["welcome back"]
    assert stop is not None


def test_an_agent_s_opt_out_says_who_and_how_to_lift_it(store: Store) -> None:
    store.optouts.add(CUSTOMER, "bob")
    with pytest.raises(InvalidInputError, match=r"recorded by bob\) at .*`modemd optout remove"):
        send(store, CUSTOMER, "hi", operator="alice")
    assert outbox(store) == []


def test_a_contact_s_name_sends_to_its_number(store: Store) -> None:
    store.contacts.add(CUSTOMER, "Ada Lovelace", "alice")
    assert send(store, "ada lovelace", "hi", operator="alice").peer == CUSTOMER
    assert outbox(store)[0]["contact"] == "Ada Lovelace"


def test_an_ambiguous_name_lists_the_candidates_and_queues_nothing(store: Store) -> None:
    store.contacts.add(CUSTOMER, "Ada", "alice")
    store.contacts.add(OTHER, "ADA", "alice")
    with pytest.raises(InvalidInputError, match=rf"2 contacts are named 'ada': .*{CUSTOMER[1:]}"
                                                rf".*{OTHER[1:]}.*give the number"):
        send(store, "ada", "hi", operator="alice")
    assert outbox(store) == []


def test_an_unknown_name_says_what_might_have_been_meant(store: Store) -> None:
    store.contacts.add(CUSTOMER, "Ada Lovelace", "alice")
    with pytest.raises(InvalidInputError, match=r"no contact is named 'Ada'.*did you mean "
                                                rf"Ada Lovelace \(\{CUSTOMER}\)"):
        peer_for(store, "Ada", None)
    with pytest.raises(InvalidInputError, match="contact add NUMBER NAME"):
        send(store, "Grace", "hi", operator="alice")
    assert outbox(store) == []


def test_an_unknown_line_queues_nothing(store: Store) -> None:
    with pytest.raises(InvalidInputError, match="no line 'desk-9'"):
        send(store, CUSTOMER, "hi", operator="alice", line="desk-9")
    assert outbox(store) == []
