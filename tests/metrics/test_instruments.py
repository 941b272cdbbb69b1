"""The in-process instruments, moved by the real worker, sender and receiver on an
emulated line: what the database does not keep (submissions, +CMS ERROR classes,
retries, `unknown` outcomes, latencies, SIM storage). Counters are process-wide, so
each test compares a scrape after with one before."""

from __future__ import annotations

from collections.abc import Callable

from modemd.at import AtChannel, Urc
from modemd.emulator.rig import Rig
from modemd.emulator.spec import LineSpec
from modemd.modem import Modem, Stored, interpret
from modemd.services import receiver
from modemd.store import LineIdentity, Store
from modemd.transport import SerialTransport

from .conftest import Bench, Samples, wait_for

Scrape = Callable[[], Samples]
LINE = "line1"  # the bench's line, by its configured name
SENDER = "+12015550142"


def change(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return (after.get(name, **labels) or 0) - (before.get(name, **labels) or 0)


def test_a_sent_part_is_counted_with_its_submit_latency(bench: Bench, scrape: Scrape) -> None:
    bench.start()
    before = scrape()
    bench.wait_out(bench.queue("x" * 200))  # two parts
    after = scrape()
    assert change(before, after, "modemd_parts_submitted_total", line=LINE) == 2
    assert change(before, after, "modemd_submit_duration_seconds_count", line=LINE) == 2
    assert change(before, after, "modemd_submit_duration_seconds_sum", line=LINE) > 0
    assert change(before, after, "modemd_submit_duration_seconds_bucket", line=LINE,
                  le="+Inf") == 2
    assert change(before, after, "modemd_send_errors_total", line=LINE,
                  **{"class": "temporary"}) == 0


def test_a_temporary_refusal_counts_its_class_and_a_retry(bench: Bench,
                                                          scrape: Scrape) -> None:
    bench.start()
    before = scrape()
    bench.rig.fault(LINE, "cms", code=42, count=1)  # congestion: retried with backoff
    message_id = bench.queue()
    wait_for("the retry planned", lambda: bench.later.jobs)
    refused = scrape()
    assert change(before, refused, "modemd_send_errors_total", line=LINE,
                  **{"class": "temporary"}) == 1
    assert change(before, refused, "modemd_send_retries_total", line=LINE) == 1
    assert change(before, refused, "modemd_parts_submitted_total", line=LINE) == 0
    assert bench.message(message_id)["status"] == "queued"


def test_no_answer_to_a_written_pdu_counts_an_unknown_outcome(bench: Bench,
                                                              scrape: Scrape) -> None:
    bench.start()
    before = scrape()
    bench.rig.fault(LINE, "cms", code=332, count=1)  # network timeout after the PDU
    bench.wait_message(bench.queue(), "unknown")
    after = scrape()
    assert change(before, after, "modemd_send_unknown_total", line=LINE) == 1
    assert change(before, after, "modemd_send_errors_total", line=LINE,
                  **{"class": "ambiguous"}) == 1
    assert change(before, after, "modemd_send_retries_total", line=LINE) == 0


def test_an_inbound_message_is_timed_from_its_cmti_to_the_commit(
        bench: Bench, scrape: Scrape) -> None:
    bench.start()
    before = scrape()
    bench.rig.inject(LINE, SENDER, "hello desk")
    wait_for("the message stored", lambda: bench.store.database.query(
        "SELECT id FROM messages WHERE direction = 'in'"))
    wait_for("taken off the SIM", lambda: bench.rig.storage(LINE)["SM"] == [])
    after = wait_for("the sample observed", scrape,
                     lambda got: change(before, got, "modemd_inbound_commit_duration_seconds"
                                        "_count", line=LINE) == 1)
    assert 0 < change(before, after, "modemd_inbound_commit_duration_seconds_sum",
                      line=LINE) < 5
    capacity = bench.rig.describe(LINE)["storage"]["SM"][1]
    assert after.get("modemd_sim_storage_used_messages", line=LINE, memory="SM") == 0
    assert after.get("modemd_sim_storage_capacity_messages", line=LINE,
                     memory="SM") == capacity


def test_sim_storage_follows_the_listing_reads_and_deletes(rig: Rig, store: Store,
                                                           scrape: Scrape) -> None:
    """Messages waiting on the SIM before anyone read it: the sweep lists them."""
    rig.add_line(LineSpec.numbered(1))
    rig.set_capacity(LINE, "SM", 12)
    wait_for("registered", lambda: rig.describe(LINE)["registration"] == 1)
    for text in ("first", "second", "third"):
        rig.inject(LINE, SENDER, text)
    wait_for("three on the SIM", lambda: len(rig.storage(LINE)["SM"]) == 3)
    channel = AtChannel(SerialTransport(f"fakemodem://{LINE}"), name=LINE)
    channel.open()
    try:
        modem = Modem(channel)
        modem.initialize()
        stored = modem.sweep()
        assert modem.usage["SM"] == (3, 12)
        with modem.storage("SM") as session:
            session.delete(stored[0].index)
        assert modem.usage["SM"] == (2, 12)
        line_id = store.lines.register(LineIdentity("8900", "001", "35"), name="sim-test",
                                       port=LINE)
        assert receiver.sweep(store, modem, line_id) == 2
        assert modem.usage["SM"] == (0, 12) and rig.storage(LINE)["SM"] == []
        got = scrape()
        assert got.get("modemd_sim_storage_used_messages", line="sim-test", memory="SM") == 0
        assert got.get("modemd_sim_storage_capacity_messages", line="sim-test",
                       memory="SM") == 12
        rig.inject(LINE, SENDER, "read, not yet deleted")
        [slot] = wait_for("one on the SIM", lambda: rig.storage(LINE)["SM"])
        with modem.storage("SM") as session:
            assert session.read(slot["index"]) is not None
        assert modem.usage["SM"] == (1, 12)
    finally:
        channel.close()


def test_the_cmti_arrival_time_does_not_change_what_an_event_is() -> None:
    event = interpret(Urc("+CMTI", '"SM",3'))
    assert isinstance(event, Stored)
    assert event == Stored("SM", 3, False)  # whenever either arrived
    assert event.arrived <= Stored("SM", 3, False).arrived
