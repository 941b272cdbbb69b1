"""The desk commands as agents type them (click's runner; `send` also as a process):
exit 0 with the answer, or exit 1 with one stderr line saying what and why."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from modemd.cli import main
from modemd.store import Store

from .conftest import CUSTOMER, OTHER, texted


@pytest.fixture(autouse=True)
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MODEMD_CONFIG", "MODEMD_DB", "MODEMD_EMULATOR_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def modemd(db: Path, *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, [*args, "--db", str(db)])
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


def as_json(db: Path, *args: str):
    return json.loads(modemd(db, *args, "--json").stdout)


def test_contacts_add_list_rename_remove(db_path: Path) -> None:
    assert modemd(db_path, "contact", "add", "+1 415 555 0123", "Ada",
                  "--operator", "alice").stdout == f"{CUSTOMER}: Ada\n"
    assert modemd(db_path, "contact", "add", CUSTOMER, "Ada Lovelace").stdout == (
        f"{CUSTOMER}: Ada Lovelace (was Ada)\n")
    [ada] = as_json(db_path, "contact", "list")
    assert (ada["peer"], ada["name"]) == (CUSTOMER, "Ada Lovelace")
    assert "Ada Lovelace" in modemd(db_path, "contact", "list").stdout
    assert modemd(db_path, "contact", "remove", "ada lovelace").stdout == (
        f"{CUSTOMER}: no longer named Ada Lovelace\n")
    assert as_json(db_path, "contact", "list") == []


def test_a_bad_contact_number_is_refused_like_send(db_path: Path) -> None:
    result = modemd(db_path, "contact", "add", "555-1234", "Ada", code=1)
    assert result.stderr.startswith("Error: '555-1234' has no country code")
    assert len(result.stderr.splitlines()) == 1


def test_send_to_a_name_and_the_name_in_listings(db_path: Path) -> None:
    modemd(db_path, "contact", "add", CUSTOMER, "Ada Lovelace")
    sent = as_json(db_path, "send", "ADA LOVELACE", "hello", "--operator", "alice")
    assert (sent["status"], sent["peer"]) == ("queued", CUSTOMER)
    [shown] = as_json(db_path, "outbox")
    assert (shown["contact"], shown["peer"]) == ("Ada Lovelace", CUSTOMER)
    assert as_json(db_path, "show", str(sent["id"]))["contact"] == "Ada Lovelace"
    assert as_json(db_path, "thread", CUSTOMER)[0]["contact"] == "Ada Lovelace"
    assert "Ada Lovelace" in modemd(db_path, "outbox").stdout


def test_an_ambiguous_name_is_refused_with_the_candidates(db_path: Path) -> None:
    modemd(db_path, "contact", "add", CUSTOMER, "Ada")
    modemd(db_path, "contact", "add", OTHER, "ada")
    result = modemd(db_path, "send", "Ada", "hi", code=1)
    assert result.stderr == (f"Error: 2 contacts are named 'Ada': {CUSTOMER} (Ada), {OTHER} "
                             "(ada); give the number instead\n")
    assert as_json(db_path, "outbox") == []


def test_optout_add_refuses_sends_and_remove_lifts_it(db_path: Path) -> None:
    queued = as_json(db_path, "send", CUSTOMER, "waiting")["id"]
    assert modemd(db_path, "optout", "add", CUSTOMER, "--operator", "bob").stdout == (
        f"{CUSTOMER}: opted out\n")
    assert as_json(db_path, "show", str(queued))["status"] == "failed"
    [optout] = as_json(db_path, "optouts")
    assert optout == {"peer": CUSTOMER, "since": optout["since"], "source": None,
                      "operator": "bob"}
    refused = modemd(db_path, "send", CUSTOMER, "hi", code=1)
    assert refused.stderr == (f"Error: {CUSTOMER} opted out (recorded by bob) at "
                              f"{optout['since']}: nothing queued; they can opt back in by "
                              "texting START, or an agent can lift it with `modemd optout "
                              "remove NUMBER`\n")
    assert len(as_json(db_path, "outbox")) == 1
    assert "left as it was" in modemd(db_path, "optout", "add", CUSTOMER).stdout
    assert modemd(db_path, "optout", "remove", CUSTOMER).stdout.startswith(
        f"{CUSTOMER}: opted in again")
    assert as_json(db_path, "optouts") == []
    result = modemd(db_path, "optout", "remove", CUSTOMER, code=1)
    assert result.stderr == f"Error: {CUSTOMER} has not opted out: `modemd optouts` lists who has\n"


def test_a_texted_stop_shows_its_message_and_refuses_a_send_process(db_path: Path,
                                                                    store: Store,
                                                                    line: int) -> None:
    [stop] = texted(store, line, CUSTOMER, "Stop.")
    [optout] = as_json(db_path, "optouts")
    assert (optout["source"], optout["operator"]) == (stop, None)
    assert as_json(db_path, "inbox")[0]["keyword"] == "stop"
    done = subprocess.run([sys.executable, "-m", "modemd", "send", CUSTOMER, "hi", "--db",
                           str(db_path)], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"Error: {CUSTOMER} opted out (STOP) at {optout['since']}: nothing "
                           "queued; they can opt back in by texting START\n")
    assert as_json(db_path, "outbox") == []


def test_help_is_flagged_in_inbox_and_thread(db_path: Path, store: Store, line: int) -> None:
    texted(store, line, CUSTOMER, "HELP?")
    texted(store, line, CUSTOMER, "can you help me")
    assert [m["keyword"] for m in as_json(db_path, "inbox")] == [None, "help"]
    header, asked, sentence = modemd(db_path, "thread", CUSTOMER).stdout.splitlines()
    assert "KEYWORD" in header
    assert re.search(r"received\s+help\s+HELP\?$", asked), asked
    assert re.search(r"received\s+-\s+can you help me$", sentence), sentence
    assert store.optouts.list() == []
    [newest] = as_json(db_path, "thread", CUSTOMER, "--limit", "1")
    assert newest["text"] == "can you help me"
    assert "--limit" in modemd(db_path, "thread", CUSTOMER, "--limit", "0", code=2).stderr


def test_audit_shows_who_did_what(db_path: Path) -> None:
    modemd(db_path, "contact", "add", CUSTOMER, "Ada", "--operator", "carol")
    sent = as_json(db_path, "send", "Ada", "hi", "--operator", "alice")["id"]
    modemd(db_path, "optout", "add", OTHER, "--operator", "bob")
    trail = as_json(db_path, "audit")
    assert [(a["operator"], a["action"], a["peer"]) for a in trail] == [
        ("bob", "optout", OTHER), ("alice", "send", CUSTOMER), ("carol", "contact_add", CUSTOMER)]
    [send] = as_json(db_path, "audit", "--peer", "ada", "--operator", "alice")
    assert (send["message_id"], send["contact"]) == (sent, "Ada")
    assert len(as_json(db_path, "audit", "--limit", "1")) == 1
    assert "contact_add" in modemd(db_path, "audit").stdout
    assert modemd(db_path, "audit", "--limit", "0", code=2).stderr.startswith("Usage")


def test_conversations_search_lists_the_matches_or_says_what_to_give(db_path: Path,
                                                                     store: Store,
                                                                     line: int) -> None:
    texted(store, line, CUSTOMER, "Where is my parcel?")
    modemd(db_path, "send", OTHER, "Your refund is done")
    found = modemd(db_path, "conversations", "--search", "PARCEL").stdout
    assert CUSTOMER in found and OTHER not in found
    empty = modemd(db_path, "conversations", "--search", "  ", code=1)
    assert empty.stderr.strip().splitlines() == [
        'Error: --search "": give some text or digits to look for, or leave --search out '
        "to list every conversation"]


def test_reading_commands_make_no_database(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    for args in (("optouts",), ("contact", "list"), ("audit",)):
        result = modemd(missing, *args, code=1)
        assert "no database" in result.stderr or "There is no" in result.stderr, result.stderr
    assert not missing.exists()
