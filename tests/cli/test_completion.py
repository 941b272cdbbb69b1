"""Shell completion through click's protocol, as bash, zsh and fish call it: message
ids, peers, contact names and line names from the database, read-only; nothing at all
(and no error) without a database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from modemd.cli import COMMANDS
from modemd.cli.lazy import load
from modemd.store import LineIdentity, Store, prepare

ENTRY = "from modemd.cli import main; main(prog_name='modemd')"  # what the `modemd` script runs
CUSTOMER, OTHER, FRIEND = "+12015550123", "+12015550124", "+442071838750"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Two named lines, three messages to two numbers, one contact with a name."""
    path = tmp_path / "desk.db"
    store = Store(path)
    try:
        for n, name in ((1, "desk-1"), (2, "night_desk")):
            identity = LineIdentity(iccid=f"8901000000000000000{n}", imsi=f"31000000000000{n}",
                                    imei=f"35000000000000{n}", own_number=f"+1555100000{n}")
            store.lines.register(identity, name=name, port=f"/dev/ttyUSB{n}")
        for to, text in ((CUSTOMER, "hello"), (OTHER, "your order shipped"), (CUSTOMER, "bye")):
            store.outbox.enqueue(prepare(to, text, operator="alice"))
        store.contacts.add(FRIEND, "Fiona Friend", "alice")
    finally:
        store.close()
    return path


def complete(words: str, *, cwd: Path, db: Path | None = None,
             shell: str = "bash") -> list[tuple[str, str]]:
    """(type, value) pairs `modemd` answers for the command line `words` (cursor at its end)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODEMD_")}
    env |= {"_MODEMD_COMPLETE": f"{shell}_complete", "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    if db is not None:
        env["MODEMD_DB"] = str(db)
    done = subprocess.run([sys.executable, "-c", ENTRY], capture_output=True, text=True,
                          cwd=cwd, env=env, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    if shell == "zsh":  # type, value, help: three lines each
        lines = done.stdout.splitlines()
        return [(lines[i], f"{lines[i + 1]} | {lines[i + 2]}") for i in range(0, len(lines), 3)]
    return [tuple(line.split(",", 1)) for line in done.stdout.splitlines()  # type: ignore[misc]
            if line]  # bash gets an empty line for no candidates


def values(pairs: list[tuple[str, str]]) -> list[str]:
    return [value for _, value in pairs]


def test_show_and_resend_complete_message_ids_newest_first(db, tmp_path):
    assert values(complete("modemd show ", cwd=tmp_path, db=db)) == ["3", "2", "1"]
    assert values(complete("modemd resend 2", cwd=tmp_path, db=db)) == ["2"]


def test_zsh_gets_each_id_with_what_the_message_is(db, tmp_path):
    shown = complete("modemd show 2", cwd=tmp_path, db=db, shell="zsh")
    assert shown == [("plain", f"2 | out {OTHER}: your order shipped")]


def test_thread_completes_the_peers_by_prefix(db, tmp_path):
    assert values(complete("modemd thread ", cwd=tmp_path, db=db)) == [CUSTOMER, OTHER, FRIEND]
    assert values(complete("modemd thread +4420", cwd=tmp_path, db=db)) == [FRIEND]


def test_send_completes_numbers_and_contact_names(db, tmp_path):
    offered = values(complete("modemd send ", cwd=tmp_path, db=db))
    assert offered == [CUSTOMER, OTHER, FRIEND, "Fiona Friend"]
    assert values(complete("modemd send fi", cwd=tmp_path, db=db)) == ["Fiona Friend"]


def test_line_names_complete_for_resume_and_send_line(db, tmp_path):
    assert values(complete("modemd resume ", cwd=tmp_path, db=db)) == ["desk-1", "night_desk"]
    assert values(complete("modemd resume n", cwd=tmp_path, db=db)) == ["night_desk"]
    assert values(complete("modemd resume desk_", cwd=tmp_path, db=db)) == []  # _ is literal
    line = complete(f"modemd send --line d {CUSTOMER} hi", cwd=tmp_path, db=db)
    assert line == []  # the cursor is at the end: TEXT, which completes nothing
    assert values(complete("modemd send --line d", cwd=tmp_path, db=db)) == ["desk-1"]


def test_the_db_typed_on_the_command_line_is_the_one_read(db, tmp_path):
    assert values(complete(f"modemd show --db {db} ", cwd=tmp_path)) == ["3", "2", "1"]
    elsewhere = tmp_path / "other.db"
    assert complete(f"modemd show --db {elsewhere} ", cwd=tmp_path, db=db) == []


def test_without_a_database_nothing_is_completed_nor_created(tmp_path):
    for words in ("modemd show ", "modemd thread ", "modemd send ", "modemd resume "):
        assert complete(words, cwd=tmp_path) == []
    assert list(tmp_path.iterdir()) == []  # no ./modemd.db, no -wal, no -shm


def test_completing_leaves_the_databases_folder_as_it_was(db, tmp_path):
    before = sorted(p.name for p in tmp_path.iterdir())
    complete("modemd show ", cwd=tmp_path, db=db)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_file_that_is_no_database_completes_nothing(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite")
    assert complete("modemd show ", cwd=tmp_path, db=junk) == []
    assert junk.read_text() == "not sqlite"


def test_command_names_complete_with_their_help(tmp_path):
    show = load(COMMANDS["show"][0])
    assert complete("modemd sh", cwd=tmp_path, shell="zsh") == [
        ("plain", f"show | {show.get_short_help_str()}")]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_its_script(tmp_path, shell):
    env = {**os.environ, "_MODEMD_COMPLETE": f"{shell}_source"}
    done = subprocess.run([sys.executable, "-c", ENTRY], capture_output=True, text=True,
                          cwd=tmp_path, env=env, check=False)
    assert done.returncode == 0
    assert f"_MODEMD_COMPLETE={shell}_complete" in done.stdout.replace('"', "")
