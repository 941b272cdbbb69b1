"""/v1/messages through the app on a real database: a send reads back as the CLI shows
it; every refusal says what the CLI says and queues nothing; scheduling, cancel,
resend and reply; who is recorded as the operator; the API's error form and codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from store.dbfiles import fill, small_disk

from modemd import config as configuration
from modemd.cli import main
from modemd.desk import claims, people
from modemd.store import Store

from .support import CUSTOMER, ME, NOBODY, OTHER, Client, add_line, lab, outbox, refused, texted

MESSAGES = "/v1/messages"


def _invoke(db: Path, *args: str) -> Result:
    """`modemd ARGS --db DB` as the test's user, in a lab (pace off)."""
    toml = db.with_name("agents.toml")
    toml.write_text("[pace]\nenabled = false\n")
    return CliRunner().invoke(main, [*args, "--db", str(db)], env={"MODEMD_CONFIG": str(toml)})


def cli(db: Path, *args: str) -> tuple[int, str]:
    """The CLI's exit code, and its stdout, or its error without "Error: "."""
    done = _invoke(db, *args)
    return done.exit_code, (done.stdout if done.exit_code == 0 else
                            done.stderr.removeprefix("Error: ").strip())


def printed(db: Path, *args: str) -> str:
    """What the CLI prints on stdout, whatever its exit code (`health` exits 2)."""
    return _invoke(db, *args).stdout


def test_a_send_is_queued_and_reads_back_as_modemd_show_prints_it(api: Client, db: Path):
    answer = api.post(MESSAGES, {"to": "+1 415 555 0123", "text": "hello"})
    assert answer.status_code == 201
    sent = answer.json
    assert sent == {"id": sent["id"], "status": "queued", "parts": 1, "encoding": "gsm7",
                    "peer": CUSTOMER, "scheduled_for": None}
    assert answer.headers["location"] == f"{MESSAGES}/{sent['id']}"
    shown = api.get(f"{MESSAGES}/{sent['id']}").json
    assert shown == json.loads(printed(db, "show", str(sent["id"]), "--json"))
    assert shown["operator"] == ME and shown["status"] == "queued"


def _opted_out(store: Store) -> None:
    people.add_optout(store, CUSTOMER, "alice", None)


def _claimed(store: Store) -> None:
    claims.claim(store, CUSTOMER, NOBODY.pw_name)


@pytest.mark.parametrize(("setup", "body"), [
    (_opted_out, {}),
    (_claimed, {}),
    (None, {"to": "555-1234"}),  # no region to read a national number in
    (None, {"to": "Grace Hopper"}),  # no such contact
    (None, {"line": "desk-9"}),
    (None, {"at": "2020-01-01T09:00:00Z"}),
    (None, {"at": "next tuesday"}),
], ids=["opted-out", "claimed", "bad-number", "no-contact", "no-line", "past", "unreadable"])
def test_a_refused_send_says_what_the_cli_says_and_queues_nothing(api: Client, store: Store,
                                                                   db: Path, setup, body):
    if setup is not None:
        setup(store)
    wanted = {"to": CUSTOMER, "text": "hello", **body}
    error = refused(api.post(MESSAGES, wanted), 400)
    args = [f"--{key}={value}" for key, value in body.items() if key != "to"]
    code, said = cli(db, "send", wanted["to"], "hello", *args, "--operator", ME)
    assert code == 1 and error == said
    assert outbox(store) == []


def test_over_a_pace_limit_nothing_is_queued(store: Store, db: Path) -> None:
    settings = "[pace]\nper_agent_seconds = 0\nnew_contacts_per_agent_hour = 1\n"
    (db.parent / "pace.toml").write_text(settings)
    api = Client(store, configuration.load(str(db.parent / "pace.toml"), db=str(db)))
    api.send(CUSTOMER)
    error = refused(api.post(MESSAGES, {"to": OTHER, "text": "hello"}), 400)
    assert error.startswith(f"pace: {ME} has texted 1 new contacts in the last hour")
    assert [m["peer"] for m in outbox(store)] == [CUSTOMER]


def test_force_sends_over_a_claim_and_another_agents_recent_text_warns(api: Client,
                                                                      store: Store) -> None:
    nobody = api.as_agent(NOBODY.pw_uid)
    claims.claim(store, CUSTOMER, NOBODY.pw_name)
    nobody.send(CUSTOMER, "theirs")
    sent = api.send(CUSTOMER, "mine", force=True)
    warning, = sent["warnings"]
    assert warning.startswith(f"nobody texted {CUSTOMER} ") and warning.endswith(
        "s ago; yours is queued too")
    actions = [row["action"] for row in store.views.audit(limit=10)]
    assert "force" in actions


def test_the_operator_is_the_agent_unless_an_admin_names_another(api: Client,
                                                                 store: Store) -> None:
    nobody = api.as_agent(NOBODY.pw_uid)
    assert store.views.message(nobody.send()["id"])["operator"] == "nobody"
    error = refused(nobody.post(MESSAGES, {"to": OTHER, "text": "x", "operator": "alice"}),
                    403)
    assert "nobody may not act for 'alice'" in error
    assert len(outbox(store)) == 1
    assert store.views.message(api.send(operator="alice")["id"])["operator"] == "alice"
    refused(api.post(MESSAGES, {"to": OTHER, "text": "x", "operator": "al ice"}), 400)


def test_scheduled_then_cancelled_then_refused_a_second_time(api: Client, db: Path) -> None:
    sent = api.send(at="2099-01-01T09:00:00Z".replace("2099", _next_year()))
    assert sent["status"] == "scheduled" and sent["scheduled_for"].endswith("09:00:00.000000Z")
    cancelled = api.post(f"{MESSAGES}/{sent['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert cancelled.json["error"] == f"cancelled by {ME}"
    error = refused(api.post(f"{MESSAGES}/{sent['id']}/cancel"), 409)
    assert error == cli(db, "cancel", str(sent["id"]))[1] == \
        f"message {sent['id']} is already cancelled"
    assert refused(api.post(f"{MESSAGES}/99/cancel"), 404) == cli(db, "cancel", "99")[1]


def _next_year() -> str:
    from datetime import date  # noqa: PLC0415

    return str(date.today().year + 1)


def test_resend_of_a_failed_message_queues_it_and_of_a_queued_one_is_a_conflict(
        api: Client, store: Store, db: Path) -> None:
    sent = api.send()
    error = refused(api.post(f"{MESSAGES}/{sent['id']}/resend"), 409)
    assert error == cli(db, "resend", str(sent["id"]))[1]
    people.add_optout(store, CUSTOMER, "alice", None)  # fails what was queued to them
    people.remove_optout(store, CUSTOMER, "alice", None)
    assert store.views.message(sent["id"])["status"] == "failed"
    resent = api.post(f"{MESSAGES}/{sent['id']}/resend", {"operator": ME})
    assert resent.status_code == 200 and resent.json["status"] == "queued"
    assert refused(api.post(f"{MESSAGES}/99/resend"), 404) == cli(db, "resend", "99")[1]


def test_reply_goes_to_the_sender_from_the_line_it_came_in_on(api: Client, store: Store,
                                                              db: Path) -> None:
    line = add_line(store, "+12015550102", n=2)
    inbound = texted(store, line, CUSTOMER, "Where is my order?")
    sent = api.post(f"{MESSAGES}/{inbound}/reply", {"text": "On its way"})
    assert sent.status_code == 201 and sent.json["peer"] == CUSTOMER
    assert api.get(f"{MESSAGES}/{sent.json['id']}").json["line"] == "+12015550102"
    error = refused(api.post(f"{MESSAGES}/{sent.json['id']}/reply", {"text": "x"}), 400)
    assert error == cli(db, "reply", str(sent.json["id"]), "x")[1]
    assert refused(api.post(f"{MESSAGES}/99/reply", {"text": "x"}), 404) == \
        cli(db, "reply", "99", "x")[1]
    assert len(outbox(store)) == 1


def test_listing_filters_by_direction_peer_status_and_unread(api: Client,
                                                             store: Store) -> None:
    line = add_line(store)
    store.contacts.add(CUSTOMER, "Grace Hopper", "alice")
    first, second = api.send(CUSTOMER)["id"], api.send(OTHER)["id"]
    inbound = texted(store, line, CUSTOMER, "hi")
    ids = [m["id"] for m in api.get(MESSAGES, direction="out").json]
    assert ids == [second, first]
    assert [m["id"] for m in api.get(MESSAGES, direction="out", peer="Grace Hopper").json] \
        == [first]
    assert [m["id"] for m in api.get(MESSAGES, direction="out", limit=1).json] == [second]
    assert api.get(MESSAGES, direction="out", status="delivered").json == []
    assert [m["id"] for m in api.get(MESSAGES, direction="in", unread="true").json] == [inbound]
    claims.open_thread(store, CUSTOMER)
    assert api.get(MESSAGES, direction="in", unread="true").json == []


@pytest.mark.parametrize(("params", "error"), [
    ({}, "the query needs direction: out: what we sent; in: what we received"),
    ({"direction": "sideways"}, "direction='sideways' is not one of out, in"),
    ({"direction": "out", "status": "lost"}, "status='lost' is not one of scheduled"),
    ({"direction": "out", "limit": "0"}, "limit '0' is not a whole number of 1 or more"),
    ({"direction": "out", "limit": "ten"}, "limit 'ten' is not a whole number"),
    ({"direction": "out", "unread": "maybe"}, "unread='maybe': give true or false"),
    ({"direction": "out", "unread": "true"}, "unread is for direction=in"),
    ({"direction": "out", "peers": "x"}, "unknown parameter 'peers' in the query; did you "
                                         "mean 'peer'?"),
])
def test_a_query_that_cannot_be_used_is_refused_saying_which_part(api: Client, params, error):
    assert refused(api.get(MESSAGES, **params), 400).startswith(error)


@pytest.mark.parametrize(("body", "error"), [
    (b"{nope", "the body is not JSON: "),
    (b"[1, 2]", "the body is a JSON list, not an object"),
    (b'{"to": "+14155550123"}', 'the body needs "text": what the message says'),
    (b'{"text": "hi"}', 'the body needs "to": the recipient'),
    (b'{"to": "+14155550123", "txt": "hi"}', "unknown field 'txt' in the body; did you "
                                            "mean 'text'?"),
    (b'{"to": "+14155550123", "text": "hi", "force": "yes"}',
     '"force" is "yes", but it must be true or false'),
    (b'{"to": 14155550123, "text": "hi"}', '"to" is 14155550123, but it must be a string'),
    (b'{"to": "+14155550123", "text": ""}', '"text" is empty'),
    (b"\xff\xfe", "the body is not JSON: "),
])
def test_a_body_that_cannot_be_used_is_refused_saying_which_field(api: Client, store: Store,
                                                                  body: bytes, error: str):
    assert refused(api.post(MESSAGES, body=body), 400).startswith(error)
    assert outbox(store) == []


def test_a_body_larger_than_any_call_needs_is_refused_unread(api: Client,
                                                             store: Store) -> None:
    huge = json.dumps({"to": CUSTOMER, "text": "x" * 70_000}).encode()
    assert "the body is over 65536 bytes" in refused(api.post(MESSAGES, body=huge), 413)
    assert outbox(store) == []


def test_unknown_routes_and_methods_answer_in_the_api_form(api: Client) -> None:
    assert refused(api.get("/v1/nothing"), 404) == "GET /v1/nothing: no such endpoint"
    assert refused(api.get(f"{MESSAGES}/abc"), 400) == \
        "message id 'abc' is not a whole number of 1 or more"
    assert refused(api.get(f"{MESSAGES}/7"), 404) == ("no message 7: see `modemd outbox` / "
                                                      "`modemd inbox`")
    answer = api.request("DELETE", MESSAGES)
    assert refused(answer, 405) == "DELETE /v1/messages: this endpoint takes GET or POST only"
    assert set(answer.headers["allow"].split(", ")) >= {"GET", "POST"}


def test_over_tcp_a_request_without_a_token_is_told_how_to_get_one(store: Store,
                                                                   db: Path) -> None:
    anonymous = Client(store, lab(db), uid=None, transport="tcp")
    answer = anonymous.get("/v1/nothing")  # who asks is settled before what exists
    assert "no bearer token" in refused(answer, 401)
    assert answer.headers["www-authenticate"] == "Bearer"
    secret, _ = store.tokens.create("alice", "root")
    alice = Client(store, lab(db), uid=None, transport="tcp",
                   headers={"Authorization": f"Bearer {secret}"})
    assert store.views.message(alice.send()["id"])["operator"] == "alice"
    unknown = Client(store, lab(db), uid=None).get("/v1/lines")  # the socket: no header
    assert refused(unknown, 401) and "www-authenticate" not in unknown.headers


def test_a_full_disk_is_507_and_nothing_is_queued(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        store = Store(disk / "m.db")
        try:
            api = Client(store, lab(disk / "m.db"))
            api.send(text="before")
            filler = fill(disk)
            error = refused(api.post(MESSAGES, {"to": CUSTOMER, "text": "x" * 400}), 507)
            assert "is full" in error and len(outbox(store)) == 1
            filler.unlink()
            api.send(text="after")
        finally:
            store.close()
