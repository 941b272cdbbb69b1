"""`modemd token create/list/revoke` as an administrator types them: the token on stdout
once (nothing else there), listings without it, refusals as one stderr line, exit 1."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from modemd.cli import main
from modemd.store import Store


@pytest.fixture(autouse=True)
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MODEMD_CONFIG", "MODEMD_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "m.db"


def modemd(db: Path, *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, ["token", *args, "--db", str(db)])
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


def test_create_prints_only_the_token_and_it_works(db: Path) -> None:
    made = modemd(db, "create", "alice")  # a new install: the database is made
    token = made.stdout.strip()
    assert made.stdout == token + "\n" and token.startswith("mdm_")
    assert "not shown again" in made.stderr and "modemd token revoke 1" in made.stderr
    store = Store(db)
    try:
        found = store.tokens.verify(token)
    finally:
        store.close()
    assert found is not None and found.agent == "alice"


def test_list_shows_everything_but_the_token(db: Path) -> None:
    token = modemd(db, "create", "alice").stdout.strip()
    shown = json.loads(modemd(db, "create", "bob", "--json").stdout)
    assert shown["token"].startswith("mdm_") and shown["agent"] == "bob"
    listed = json.loads(modemd(db, "list", "--json").stdout)
    assert [(t["id"], t["agent"], t["created_by"]) for t in listed] == [
        (1, "alice", getpass.getuser()), (2, "bob", getpass.getuser())]
    assert listed[0]["prefix"] == token[:12]
    everything = json.dumps(listed) + modemd(db, "list").stdout
    assert token not in everything and shown["token"] not in everything
    assert "hash" not in everything.lower()
    table = modemd(db, "list").stdout.splitlines()
    assert table[0].split() == ["ID", "AGENT", "PREFIX", "CREATED_AT", "CREATED_BY",
                                "LAST_USED_AT", "REVOKED_AT"]


def test_revoke_by_id_or_prefix_once(db: Path) -> None:
    token = modemd(db, "create", "alice").stdout.strip()
    assert modemd(db, "revoke", token[:12]).stdout == f"token 1 ({token[:12]}) of alice: revoked\n"
    assert "revoked already" in modemd(db, "revoke", "1").stdout
    listed, = json.loads(modemd(db, "list", "--json").stdout)
    assert listed["revoked_at"] is not None
    audit = CliRunner().invoke(main, ["audit", "--json", "--db", str(db)])
    assert [entry["action"] for entry in json.loads(audit.stdout)] == [
        "token_revoke", "token_create"]


@pytest.mark.parametrize(("args", "says"), [
    (("create", "two words"), "spaces or control characters"),
    (("create", ""), "an agent's name is needed"),
    (("revoke", "7"), "no API token 7"),
    (("revoke", "mdm_"), "matches tokens 1, 2: give the id"),
])
def test_refusals_say_why_and_change_nothing(db: Path, args: tuple[str, ...],
                                             says: str) -> None:
    modemd(db, "create", "alice")
    modemd(db, "create", "bob")
    refused = modemd(db, *args, code=1)
    assert refused.stdout == "" and says in refused.stderr
    listed = json.loads(modemd(db, "list", "--json").stdout)
    assert len(listed) == 2 and all(t["revoked_at"] is None for t in listed)


def test_list_and_revoke_need_an_existing_database(db: Path) -> None:
    for args in (("list",), ("revoke", "1")):
        assert "there is no database at" in modemd(db, *args, code=1).stderr
    assert not db.exists()


def test_a_user_who_may_not_write_the_database_is_told_tokens_are_for_admins(db: Path) -> None:
    modemd(db, "create", "alice")
    db.chmod(0o444)  # as an agent on the appliance sees it (root too: the mode is checked)
    refused = modemd(db, "create", "bob", code=1)
    assert refused.stdout == "" and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith(f"Error: the database {db} is read-only (mode 0444)")
    assert refused.stderr.endswith("; `modemd token create` works on the database itself, so "
                                   "it is for admins: run it as root or as the daemon's user "
                                   "(sudo -u modemd modemd token create ...)\n")
    db.chmod(0o644)
    assert [t["agent"] for t in json.loads(modemd(db, "list", "--json").stdout)] == ["alice"]
