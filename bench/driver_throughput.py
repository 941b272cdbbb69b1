"""Parts per second through the driver alone, and its CPU time per part.

The emulated modem runs in another process (`modemd emulator`, zero delays) on a
real pty, so this process's CPU time is the driver's: transport, AT channel,
modem verbs and PDU encoding. Target (issue 3): >= 200 parts/s, < 2 ms CPU/part.

    python bench/driver_throughput.py [--parts 2000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from modemd.at import AtChannel
from modemd.modem import Modem
from modemd.sms import encode_submit
from modemd.transport import SerialTransport


def start_emulator(directory: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "modemd", "emulator", "--dir", str(directory), "--lines", "2",
         "--json"],
        stdout=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    json.loads(process.stdout.readline())  # the emulator is up once it announces its lines
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        emulator = start_emulator(Path(folder))
        try:
            channel = AtChannel(SerialTransport(str(Path(folder) / "line1")), name="bench")
            channel.open()
            modem = Modem(channel)
            modem.initialize()
            while modem.registration() not in (1, 5):  # sending before registration fails
                time.sleep(0.05)
            wall, cpu = time.perf_counter(), time.process_time()
            sent = 0
            for i in range(args.parts):
                for part in encode_submit("+12015550102", f"bench message {i}"):
                    modem.send_part(part)
                    sent += 1
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            channel.close()
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
    print(f"parts sent:            {sent}")
    print(f"parts per second:      {sent / wall:.0f}   (target >= 200)")
    print(f"driver CPU per part:   {cpu / sent * 1000:.3f} ms   (target < 2 ms, encoding included)")


if __name__ == "__main__":
    main()
