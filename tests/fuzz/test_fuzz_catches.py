"""The fuzz's checks catch the faults they are there for: a router, decoder or receiver
that misbehaves in one way makes the fuzz fail, naming a seed and index that replays it."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from modemd.at import AtError, Urc
from modemd.at import router as router_module
from modemd.at.results import final_result
from modemd.at.router import Router
from modemd.services import receiver
from modemd.sms import Address, StatusReport, tpdu
from modemd.sms.reader import Reader
from modemd.store import Store

from . import pdu_check
from .runner import Tally, fuzz_pdus, fuzz_router, replay

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fuzz.py"


def problems(tally: Tally) -> str:
    return "\n".join(problem for failure in tally.failures for problem in failure.problems)


def test_a_lost_urc_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    route = Router.route
    monkeypatch.setattr(Router, "route", lambda self, event: None if (
        urc := route(self, event)) and urc.name == "RING" else urc)
    tally = fuzz_router(seed=7, count=300)
    assert tally.failed > 10 and "URCs: expected" in problems(tally)


def test_garbage_taken_as_a_final_result_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def lenient(line: str, command: str) -> AtError | bool | None:
        return True if "\ufffd" in line else final_result(line, command)

    monkeypatch.setattr(router_module, "final_result", lenient)
    tally = fuzz_router(seed=7, count=300)
    assert tally.failed > 10 and "its final was" in problems(tally)


def test_an_exception_out_of_the_router_is_caught_and_replays(
        monkeypatch: pytest.MonkeyPatch) -> None:
    route = Router.route

    def fragile(self: Router, event: object) -> Urc | None:
        if isinstance(event, str) and event.startswith("^MODE"):
            raise ValueError("fragile")
        return route(self, event)
    monkeypatch.setattr(Router, "route", fragile)
    tally = fuzz_router(seed=7, count=300)
    first = tally.failures[0]
    assert "raised ValueError('fragile')" in first.problems[0]
    assert f"--only at --seed 7 --index {first.index}" in str(first)
    assert "PROBLEM: raised ValueError('fragile')" in replay("at", 7, first.index)


def test_a_decoder_bug_hidden_by_the_catch_all_is_caught(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(raw: bytes) -> None:
        raise IndexError("timestamp")

    monkeypatch.setattr(tpdu, "decode_timestamp", broken)
    tally = fuzz_pdus(seed=7, count=300)
    assert tally.failed > 10 and "internal decoder error" in problems(tally)


def test_a_wrong_field_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    status_report = tpdu._status_report

    def off_by_one(reader: Reader, first: int, smsc: Address | None) -> StatusReport:
        report = status_report(reader, first, smsc)
        return replace(report, message_reference=(report.message_reference + 1) % 256)

    monkeypatch.setattr(tpdu, "_status_report", off_by_one)
    tally = fuzz_pdus(seed=7, count=300)
    assert tally.failed > 5 and "message_reference is" in problems(tally)


def test_undecodable_input_left_out_of_quarantine_is_caught(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:

    def forgetful(store: Store, line_id: int, pdu: str, decoded: object) -> bool:
        if isinstance(decoded, tpdu.Undecodable) and len(pdu) % 3 == 0:
            return True  # "safe to delete", yet never stored
        return receiver.record(store, line_id, pdu, decoded)  # type: ignore[arg-type]

    monkeypatch.setattr(pdu_check, "record", forgetful)
    store = Store(tmp_path / "fuzz.db")
    try:
        tally = fuzz_pdus(seed=7, count=600, sample=pdu_check.QuarantineSample(store), every=2)
    finally:
        store.close()
    assert "is not in quarantine" in problems(tally)


def test_the_bench_exits_non_zero_on_a_failure(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_fuzz", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(sys, "argv", ["fuzz.py", "--only", "at", "--count", "200"])
    assert bench.main() == 0
    monkeypatch.setattr(Router, "route", lambda self, event: None)
    assert bench.main() == 1
    out = capsys.readouterr().out
    assert "sessions/s" in out and "FAIL at seed 1 index" in out and "seed 1: FAILED" in out
