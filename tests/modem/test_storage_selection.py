"""AT+CPMS only when needed: a memory selected in this session stays selected until
init, a reset, an error or another memory; the sweep always selects afresh."""

from __future__ import annotations

import pytest

from modemd.at import AtTimeout, CmsError
from modemd.modem import Modem


@pytest.fixture
def line(make_line):
    made = make_line(1)
    made.modem.initialize()
    return made


@pytest.fixture
def sent(line, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every command line.channel.command() sends from here on."""
    commands: list[str] = []
    command = line.channel.command

    def recorded(text: str, **options):
        commands.append(text)
        return command(text, **options)

    monkeypatch.setattr(line.channel, "command", recorded)
    return commands


def selections(commands: list[str]) -> list[str]:
    return [c for c in commands if c.startswith("AT+CPMS")]


def read_empty(modem: Modem, memory: str = "SM") -> None:
    with modem.storage(memory) as session:
        assert session.read(1) is None


def test_a_memory_is_selected_once_then_kept(line, sent):
    for _ in range(3):
        read_empty(line.modem)
    assert sent == ['AT+CPMS="SM"', "AT+CMGR=1", "AT+CMGR=1", "AT+CMGR=1"]


def test_another_memory_is_selected_and_then_the_first_again(line, sent):
    for memory in ("SM", "SR", "SR", "SM"):
        read_empty(line.modem, memory)
    assert selections(sent) == ['AT+CPMS="SM"', 'AT+CPMS="SR"', 'AT+CPMS="SM"']


def test_initialising_again_forgets_the_selection(line, sent):
    read_empty(line.modem)
    line.modem.initialize()  # sets every memory itself: what it chose is not assumed
    read_empty(line.modem)
    assert selections(sent)[-1] == 'AT+CPMS="SM"'
    assert sent[-2:] == ['AT+CPMS="SM"', "AT+CMGR=1"]


def test_a_new_session_selects_again(line, sent):
    read_empty(line.modem)
    read_empty(Modem(line.channel))  # a reconnect makes a new Modem
    assert selections(sent) == ['AT+CPMS="SM"', 'AT+CPMS="SM"']


def test_an_error_inside_forgets_the_selection(line, sent):
    read_empty(line.modem)
    with pytest.raises(AtTimeout), line.modem.storage("SM"):
        raise AtTimeout("the modem went quiet mid-read", "AT+CMGR=1", ())
    read_empty(line.modem)
    assert selections(sent) == ['AT+CPMS="SM"', 'AT+CPMS="SM"']


def test_a_refused_selection_is_not_remembered(line, sent):
    read_empty(line.modem, "SM")
    with pytest.raises(CmsError), line.modem.storage("XX"):  # a memory it does not have
        pass
    read_empty(line.modem, "SM")
    assert selections(sent) == ['AT+CPMS="SM"', 'AT+CPMS="XX"', 'AT+CPMS="SM"']


def test_the_sweep_selects_every_memory_whatever_was_selected(line, sent):
    read_empty(line.modem)
    line.modem.sweep()
    assert selections(sent) == ['AT+CPMS="SM"'] + [
        f'AT+CPMS="{memory}"' for memory in line.modem.memories]
