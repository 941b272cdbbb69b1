"""The person-to-person pace limits, through desk.sending as every front end sends:
each limit refuses with what it is and when it lifts, and queues nothing; replies and
peers with history are never capped by the new-contact limits; `enabled = false`
lifts them all; a new contact's first text is pinned to a line under its cap."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from modemd.config import Pace
from modemd.desk import pace, sending
from modemd.errors import InvalidInputError
from modemd.store import LineIdentity, LineState, Store
from modemd.store.db import iso

from .conftest import CUSTOMER, texted

EST = timedelta(hours=-5)  # the local zone of these tests (TZ=EST+5: no tzdata needed)


@pytest.fixture(autouse=True)
def eastern(local_zone: Callable[[str], None]) -> None:
    local_zone("EST+5")


def new(n: int) -> str:
    """A number nobody has texted yet."""
    return f"+141555502{n:02d}"


def send(store: Store, to: str, rules: Pace, operator: str = "alice",
         line: str | None = None) -> int:
    return sending.send(store, to, "hello", operator=operator, line=line,
                        options=sending.Options(pace=rules)).message_id


def refused(store: Store, to: str, rules: Pace, operator: str = "alice",
            line: str | None = None) -> str:
    """The refusal's text; and that it queued nothing."""
    before = len(outbox(store))
    with pytest.raises(InvalidInputError) as refusal:
        send(store, to, rules, operator, line)
    assert len(outbox(store)) == before
    return str(refusal.value)


def outbox(store: Store) -> list[dict]:
    return store.database.query("SELECT id, peer, line_id, requested_line, new_contact, "
                                "created_at FROM messages WHERE direction = 'out' ORDER BY id")


def row(store: Store, message_id: int) -> dict:
    return next(m for m in outbox(store) if m["id"] == message_id)


def age(store: Store, by: timedelta, *message_ids: int) -> None:
    """As if these were queued `by` earlier."""
    with store.database.write() as conn:
        for message_id in message_ids:
            created = datetime.fromisoformat(row(store, message_id)["created_at"])
            conn.execute("UPDATE messages SET created_at = ? WHERE id = ?",
                         (iso(created - by), message_id))


def local(stored: str, later: timedelta) -> str:
    """HH:MM in the tests' zone of a stored time plus `later`, with " tomorrow" when
    that falls on the next local day (a run near midnight)."""
    moment = datetime.fromisoformat(stored) + later + EST
    today = datetime.now(moment.tzinfo) + EST
    return f"{moment:%H:%M}" + " tomorrow" * (moment.date() != today.date())


def add_line(store: Store, n: int, state: LineState = LineState.OK) -> int:
    identity = LineIdentity(iccid=f"8901000000000000{n:04d}", imsi=f"31000000000{n:04d}",
                            imei=f"35000000000{n:04d}", own_number=f"+1201555{n:04d}")
    line_id = store.lines.register(identity, name=f"desk-{n}", port=f"/dev/ttyUSB{n}")
    store.lines.set_state(line_id, state)
    return line_id


FAST = Pace(per_agent_seconds=0)


# ---- per_agent_seconds -----------------------------------------------------------------


def test_a_second_send_within_per_agent_seconds_is_refused(store: Store) -> None:
    rules = Pace(per_agent_seconds=1)
    send(store, new(1), rules)
    text = refused(store, new(2), rules)
    assert text.startswith("pace: at most one send per 1 s per agent (per_agent_seconds); "
                           "alice may send again in ")
    assert text.endswith(" s; nothing queued")
    assert 0 < float(text.split(" again in ")[1].split(" s")[0]) <= 1
    send(store, new(2), rules, operator="bob")  # the interval is each agent's own


def test_per_agent_seconds_holds_for_replies_and_lifts_after_the_interval(
        store: Store, line: int) -> None:
    rules = Pace(per_agent_seconds=5)
    [question] = texted(store, line, CUSTOMER, "Where is my order?")
    first = send(store, new(1), rules)
    with pytest.raises(InvalidInputError, match=r"alice may send again in \d\.\d s"):
        sending.reply(store, question, "On its way", operator="alice",
                      options=sending.Options(pace=rules))
    age(store, timedelta(seconds=5), first)
    sending.reply(store, question, "On its way", operator="alice",
                  options=sending.Options(pace=rules))


# ---- new_contacts_per_agent_hour -------------------------------------------------------


def test_the_agent_s_hourly_cap_refuses_a_new_contact_and_says_when(store: Store) -> None:
    rules = Pace(per_agent_seconds=0, new_contacts_per_agent_hour=2)
    first = send(store, new(1), rules)
    send(store, new(2), rules)
    text = refused(store, new(3), rules)
    at = local(row(store, first)["created_at"], timedelta(hours=1))
    assert text == ("pace: alice has texted 2 new contacts in the last hour, the limit "
                    f"(new_contacts_per_agent_hour = 2); the next may go at {at} (in 1 h); "
                    "replies to existing conversations are not limited; nothing queued")
    send(store, new(3), rules, operator="bob")  # another agent has its own hour


def test_the_hourly_cap_frees_as_the_oldest_first_text_leaves_the_hour(store: Store) -> None:
    rules = Pace(per_agent_seconds=0, new_contacts_per_agent_hour=2)
    first, second = send(store, new(1), rules), send(store, new(2), rules)
    age(store, timedelta(minutes=50), first, second)
    assert "(in 10 min)" in refused(store, new(3), rules)
    age(store, timedelta(minutes=11), first)
    third = send(store, new(3), rules)
    assert row(store, third)["new_contact"] == 1
    assert "(in 10 min)" in refused(store, new(4), rules)  # now the second is the oldest


def test_replies_and_peers_with_history_are_not_capped(store: Store, line: int) -> None:
    rules = Pace(per_agent_seconds=0, new_contacts_per_agent_hour=1,
                 new_contacts_per_line_day=1)
    [question] = texted(store, line, CUSTOMER, "Hello?")
    first = send(store, new(1), rules)
    refused(store, new(2), rules)
    again = send(store, new(1), rules)  # we texted them before: not a new contact
    answer = sending.reply(store, question, "Hi!", operator="alice",
                           options=sending.Options(pace=rules)).message_id
    wrote_in = send(store, CUSTOMER, rules)  # they texted us: not new either
    assert [row(store, m)["new_contact"] for m in (first, again, answer, wrote_in)] == [
        1, 0, 0, 0]


def test_a_cancelled_first_text_neither_counts_nor_makes_history(store: Store) -> None:
    rules = Pace(per_agent_seconds=0, new_contacts_per_agent_hour=1)
    taken_back = send(store, new(1), rules)
    store.schedule.cancel(taken_back, "alice")
    again = send(store, new(1), rules)
    assert row(store, again)["new_contact"] == 1
    assert "has texted 1 new contacts" in refused(store, new(2), rules)


# ---- new_contacts_per_line_day and the line a first text is pinned to ------------------


def test_a_requested_line_at_its_daily_cap_refuses(store: Store) -> None:
    rules = Pace(per_agent_seconds=0, new_contacts_per_line_day=1)
    desk1, desk2 = add_line(store, 1), add_line(store, 2)
    first = send(store, new(1), rules, line="desk-1")
    text = refused(store, new(2), rules, operator="bob", line="desk-1")
    at = local(row(store, first)["created_at"], timedelta(days=1))
    assert text == ("pace: line desk-1 has texted 1 new contacts in the last 24 h, its limit "
                    f"(new_contacts_per_line_day = 1); it may text another at {at} "
                    "(in 24 h), or send without --line to use another line; replies to "
                    "existing conversations are not limited; nothing queued")
    other = send(store, new(2), rules, operator="bob")  # pinned to the line with room
    assert (row(store, other)["line_id"], row(store, other)["requested_line"]) == (desk2, None)
    assert row(store, first)["line_id"] == desk1


def test_when_every_line_is_at_its_cap_a_new_contact_is_refused(store: Store) -> None:
    rules = Pace(per_agent_seconds=0, new_contacts_per_line_day=1)
    add_line(store, 1), add_line(store, 2)
    first, second = send(store, new(1), rules), send(store, new(2), rules)
    age(store, timedelta(hours=20), first)
    text = refused(store, new(3), rules, operator="bob")
    at = local(row(store, first)["created_at"], timedelta(days=1))
    assert text.startswith("pace: every line has texted 1 new contacts in the last 24 h "
                           f"(new_contacts_per_line_day = 1); the first may text another at "
                           f"{at}")
    assert "(in 4 h)" in text
    send(store, new(1), rules)  # an existing conversation still gets its answer
    assert row(store, second)["new_contact"] == 1


def test_a_new_contact_goes_to_the_least_busy_healthy_line_under_its_cap(store: Store) -> None:
    rules = Pace(per_agent_seconds=0, new_contacts_per_line_day=2)
    desk1, desk2, desk3 = add_line(store, 1), add_line(store, 2), add_line(store, 3)
    store.lines.set_state(desk3, LineState.OFFLINE)
    for _ in range(3):  # desk-2: three waiting, one of them a first text
        send(store, new(1), rules, line="desk-2")
    pinned = [row(store, send(store, new(n), rules)) for n in (2, 3, 4)]
    # desk-1 is the least busy until it has its two; then desk-2, busier, has room
    assert [(m["line_id"], m["requested_line"]) for m in pinned] == [
        (desk1, None), (desk1, None), (desk2, None)]
    assert "every line that is up has texted 2" in refused(store, new(5), rules)


def test_without_a_healthy_line_nothing_is_pinned_until_every_line_is_full(
        store: Store) -> None:
    rules = Pace(per_agent_seconds=0, new_contacts_per_line_day=1)
    assert row(store, send(store, new(1), rules))["line_id"] is None  # no line known yet
    add_line(store, 1, LineState.OFFLINE)
    assert row(store, send(store, new(2), rules))["line_id"] is None  # the queue will choose
    send(store, new(3), rules, line="desk-1")
    assert "pace: every line has texted 1" in refused(store, new(4), rules)


# ---- enabled = false, and the transaction ----------------------------------------------


def test_enabled_false_lifts_every_limit_and_still_records_new_contacts(store: Store) -> None:
    rules = Pace(enabled=False, per_agent_seconds=60, new_contacts_per_agent_hour=1,
                 new_contacts_per_line_day=1)
    add_line(store, 1)
    sent = [send(store, new(n), rules, line="desk-1") for n in range(1, 4)]
    sent += [send(store, new(1), rules), send(store, new(9), rules)]
    assert [row(store, m)["new_contact"] for m in sent] == [1, 1, 1, 0, 1]
    assert row(store, sent[-1])["line_id"] is None  # nothing pinned: the queue chooses


def test_the_check_runs_holding_the_write_lock(store: Store, db_path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """So two agents racing for the last place under a cap cannot both take it: the
    second one's count waits for, and then sees, the first one's message."""
    real, seen = pace.check, []

    def check(conn: sqlite3.Connection, *args, **kwargs) -> pace.Cleared:
        other = sqlite3.connect(db_path, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
        seen.append(conn.in_transaction)
        return real(conn, *args, **kwargs)

    monkeypatch.setattr(pace, "check", check)
    send(store, new(1), FAST)
    assert seen == [True]
