"""/v1/contacts, /v1/optouts, /v1/audit and the thread of a conversation through the
app on a real database: the answers `modemd contact`, `optout`, `optouts`, `audit` and
`thread` print from, the desk's words when it refuses, and who may act for whom."""

from __future__ import annotations

import json
from pathlib import Path

from modemd.store import Store

from .support import CUSTOMER, ME, NOBODY, OTHER, Client, add_line, refused, texted
from .test_messages import cli, printed

CONTACTS, OPTOUTS, AUDIT = "/v1/contacts", "/v1/optouts", "/v1/audit"
ENCODED = "%2B14155550123"  # CUSTOMER in a path


def delete(api: Client, path: str, **query: str):
    return api.request("DELETE", path, params=query)


def test_a_contact_is_added_renamed_listed_and_removed(api: Client, store: Store,
                                                       db: Path) -> None:
    added = api.post(CONTACTS, {"number": "+1 415 555 0123", "name": "Grace"})
    assert added.status_code == 200
    assert added.json == {"peer": CUSTOMER, "name": "Grace", "operator": ME,
                          "created_at": added.json["created_at"], "previous": None}
    renamed = api.post(CONTACTS, {"number": CUSTOMER, "name": "Grace Hopper"}).json
    assert (renamed["name"], renamed["previous"]) == ("Grace Hopper", "Grace")
    api.post(CONTACTS, {"number": OTHER, "name": "Ada", "operator": "alice"})
    listed = api.get(CONTACTS).json
    assert [(c["name"], c["operator"]) for c in listed] == [("Ada", "alice"),
                                                            ("Grace Hopper", ME)]
    assert listed == json.loads(printed(db, "contact", "list", "--json"))
    removed = delete(api, f"{CONTACTS}/Grace%20Hopper")
    assert removed.status_code == 200
    assert (removed.json["peer"], removed.json["name"]) == (CUSTOMER, "Grace Hopper")
    assert [c["name"] for c in api.get(CONTACTS).json] == ["Ada"]
    assert store.contacts.get(CUSTOMER) is None


def test_removing_a_number_that_is_no_contact_says_what_the_cli_says(api: Client,
                                                                     db: Path) -> None:
    error = refused(delete(api, f"{CONTACTS}/{ENCODED}"), 400)
    assert error == f"{CUSTOMER} is not a contact: `modemd contact list` shows them"
    assert error == cli(db, "contact", "remove", CUSTOMER)[1]
    assert "no contact is named 'Grace'" in refused(delete(api, f"{CONTACTS}/Grace"), 400)
    assert refused(api.post(CONTACTS, {"number": CUSTOMER}), 400).startswith(
        'the body needs "name"')


def test_an_optout_is_recorded_once_listed_and_lifted(api: Client, store: Store,
                                                      db: Path) -> None:
    queued = api.send()  # an opt-out fails what was queued to the number
    first = api.post(OPTOUTS, {"number": CUSTOMER})
    assert first.status_code == 200 and first.json["new"] is True
    assert (first.json["peer"], first.json["operator"], first.json["source"]) == \
        (CUSTOMER, ME, None)
    assert store.views.message(queued["id"])["status"] == "failed"
    again = api.post(OPTOUTS, {"number": CUSTOMER, "operator": "alice"}).json
    assert again["new"] is False and again["since"] == first.json["since"]
    assert again["reason"] == f"{CUSTOMER} opted out (recorded by {ME}) at {again['since']}"
    listed = api.get(OPTOUTS).json
    assert [o["peer"] for o in listed] == [CUSTOMER]
    wanted = [{k: o[k] for k in ("peer", "since", "source", "operator")} for o in listed]
    assert json.loads(printed(db, "optouts", "--json")) == wanted
    lifted = delete(api, f"{OPTOUTS}/{ENCODED}")
    assert lifted.status_code == 200 and lifted.json["since"] == first.json["since"]
    assert api.get(OPTOUTS).json == []
    error = refused(delete(api, f"{OPTOUTS}/{ENCODED}"), 400)
    assert error == f"{CUSTOMER} has not opted out: `modemd optouts` lists who has"
    assert error == cli(db, "optout", "remove", CUSTOMER)[1]


def test_the_audit_is_filtered_by_peer_operator_and_limit(api: Client, db: Path) -> None:
    api.post(CONTACTS, {"number": CUSTOMER, "name": "Grace", "operator": "alice"})
    api.post(OPTOUTS, {"number": OTHER, "operator": "bob"})
    api.post(OPTOUTS, {"number": "Grace"})
    entries = api.get(AUDIT).json
    assert [(e["action"], e["operator"], e["peer"]) for e in entries] == [
        ("optout", ME, CUSTOMER), ("optout", "bob", OTHER), ("contact_add", "alice", CUSTOMER)]
    assert entries == json.loads(printed(db, "audit", "--json"))
    by_name = api.get(AUDIT, peer="Grace").json
    assert [e["action"] for e in by_name] == ["optout", "contact_add"]
    assert by_name == api.get(AUDIT, peer=CUSTOMER).json
    assert [e["peer"] for e in api.get(AUDIT, operator="bob").json] == [OTHER]
    assert [e["operator"] for e in api.get(AUDIT, limit="1").json] == [ME]
    assert refused(api.get(AUDIT, limit="0"), 400).startswith("limit '0'")
    assert "no contact is named 'Ada'" in refused(api.get(AUDIT, peer="Ada"), 400)


def test_an_agent_who_is_no_admin_acts_as_themselves_only(api: Client, store: Store) -> None:
    nobody = api.as_agent(NOBODY.pw_uid)
    assert nobody.post(CONTACTS, {"number": CUSTOMER, "name": "Grace"}).json["operator"] \
        == "nobody"
    for answer in (nobody.post(CONTACTS, {"number": OTHER, "name": "Ada", "operator": ME}),
                   nobody.post(OPTOUTS, {"number": CUSTOMER, "operator": ME}),
                   delete(nobody, f"{CONTACTS}/Grace", operator=ME)):
        assert f"nobody may not act for '{ME}'" in refused(answer, 403)
    assert [c.name for c in store.contacts.list()] == ["Grace"]
    assert store.optouts.get(CUSTOMER) is None
    assert delete(nobody, f"{CONTACTS}/Grace", operator="nobody").status_code == 200
    assert [e["operator"] for e in api.get(AUDIT).json] == ["nobody", "nobody"]


def test_getting_a_thread_marks_nothing_read_and_reading_it_marks_its_inbound(
        api: Client, store: Store) -> None:
    line = add_line(store)
    first, second = texted(store, line, CUSTOMER, "hello?"), texted(store, line, CUSTOMER,
                                                                    "anyone?")
    api.send(CUSTOMER, "yes")
    path = f"/v1/conversations/{ENCODED}"
    shown = api.get(path).json
    assert set(shown) == {"peer", "contact", "messages"} and shown["peer"] == CUSTOMER
    assert [m["id"] for m in shown["messages"]][:2] == [first, second]
    assert all(m["read_at"] is None for m in shown["messages"] if m["direction"] == "in")
    assert api.get(path).json == shown  # nothing was marked
    read = api.post(f"{path}/read")
    assert read.status_code == 200
    assert (read.json["marked"], read.json["not_marked"]) == (2, None)
    inbound = [m for m in read.json["messages"] if m["direction"] == "in"]
    assert len(inbound) == 2 and all(m["read_at"] for m in inbound)
    assert api.post(f"{path}/read").json["marked"] == 0
    assert len(api.get(path, limit="1").json["messages"]) == 1
