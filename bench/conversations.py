"""The conversations list and its search on a big desk: how long `modemd conversations`
(--search) takes in the store, per call, with --messages stored.

The messages are inbound texts from --contacts senders, recorded through the store in
one transaction as the daemon records them; every tenth is not ASCII (Polish), so the
search's Python half has rows to fold. Each query runs --runs times; the median and
p90 are printed. Target: a search well under the 150 ms that would make typing in
the terminal desk's search box (one search per key) feel slow.

    python bench/conversations.py [--messages 100000] [--contacts 1000] [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _rig import outside_numbers, p90, run

from modemd.sms import Deliver, decode_from_sc, deliver_user_data, encode_deliver
from modemd.store import LineIdentity, Store

TARGET_MS = 150.0
TEXTS = ("where is my parcel {n}?", "thanks, order {n} arrived", "Zażółć gęślą jaźń {n}")


def seed(store: Store, messages: int, contacts: int) -> None:
    senders = outside_numbers(contacts, start=2000)
    line_id = store.lines.register(LineIdentity("8901999999999999998", None, None, None),
                                   name="desk", port="/dev/null")
    with store.database.write():  # the records below join this one transaction
        for n in range(messages):
            text = TEXTS[2 if n % 10 == 9 else n % 2].format(n=n)
            pdu = encode_deliver(senders[n % contacts], deliver_user_data(text)[0],
                                 timestamp=datetime(2026, 1, 1, tzinfo=UTC)).pdu
            decoded = decode_from_sc(pdu)
            assert isinstance(decoded, Deliver)
            store.inbox.record(line_id, pdu, decoded)


def timed(store: Store, runs: int, **query: object) -> tuple[list[float], int]:
    samples, found = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        found = len(store.conversations.list(limit=1000, **query))
        samples.append((time.perf_counter() - started) * 1000)
    return samples, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="modemd-bench-") as folder:
        store = Store(Path(folder) / "modemd.db")
        try:
            seed(store, args.messages, args.contacts)
            print(f"{args.messages} messages from {args.contacts} contacts, "
                  f"{args.runs} runs each, up to 1000 rows")
            for label, query in (("the list", {}), ("search, ASCII", {"search": "PARCEL 4"}),
                                 ("search, none found", {"search": "no such words"}),
                                 ("search, Polish", {"search": "GĘŚLĄ JAŹŃ 9"})):
                samples, found = timed(store, args.runs, **query)
                median = statistics.median(samples)
                mark = "" if label == "the list" else (
                    f"   target < {TARGET_MS:g} ms: {'met' if median < TARGET_MS else 'NOT met'}")
                print(f"  {label:<20} median {median:6.1f} ms  p90 {p90(samples):6.1f} ms  "
                      f"({found} conversations){mark}")
        finally:
            store.close()


if __name__ == "__main__":
    run(main)
