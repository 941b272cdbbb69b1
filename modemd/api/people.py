"""/v1/contacts, /v1/optouts and /v1/audit: the desk's people functions, as `modemd
contact`, `optout`, `optouts` and `audit` call them."""

from __future__ import annotations

from dataclasses import asdict

from modemd.api.calls import Api, Call
from modemd.api.identity import operator_for
from modemd.desk import people


def list_contacts(api: Api, call: Call) -> list[dict]:
    return [asdict(contact) for contact in api.store.contacts.list()]


def add_contact(api: Api, call: Call) -> dict:
    new, old = people.add_contact(api.store, call.body["number"], call.body["name"],
                                  call.operator(), api.config.default_region)
    return {**asdict(new), "previous": None if old is None else old.name}


def remove_contact(api: Api, call: Call) -> dict:
    removed = people.remove_contact(api.store, call.params["peer"], _operator(call),
                                    api.config.default_region)
    return asdict(removed)


def list_optouts(api: Api, call: Call) -> list[dict]:
    return [asdict(optout) for optout in api.store.optouts.list()]


def add_optout(api: Api, call: Call) -> dict:
    recorded, new = people.add_optout(api.store, call.body["number"], call.operator(),
                                      api.config.default_region)
    return {**asdict(recorded), "new": new, "reason": recorded.reason()}


def remove_optout(api: Api, call: Call) -> dict:
    lifted = people.remove_optout(api.store, call.params["peer"], _operator(call),
                                  api.config.default_region)
    return asdict(lifted)


def list_audit(api: Api, call: Call) -> list[dict]:
    peer = call.query["peer"]
    number = None if peer is None else people.peer_for(api.store, peer,
                                                       api.config.default_region)
    return api.store.views.audit(peer=number, operator=call.query["operator"],
                                 limit=call.query["limit"])


def _operator(call: Call) -> str:
    """A DELETE says who acts in its query: it has no body."""
    return operator_for(call.agent, call.query["operator"])


HANDLERS = {"list_contacts": list_contacts, "add_contact": add_contact,
            "remove_contact": remove_contact, "list_optouts": list_optouts,
            "add_optout": add_optout, "remove_optout": remove_optout,
            "list_audit": list_audit}
