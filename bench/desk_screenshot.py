"""docs/desk.svg, the README's picture of `modemd desk`: the real emulator and daemon,
two customers texting in, a claim, a reply delivered, and a third customer's STOP;
then Textual's own screenshot of the desk at 80x24 (pilot, headless).

    python bench/desk_screenshot.py [--out docs/desk.svg]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from _rig import Rig, rig, run

from modemd import config as configuration
from modemd.api.reach import reach
from modemd.tui.app import DeskApp
from modemd.tui.session import Session

GRACE, SHOP, GONE = "+14155550123", "+14155550188", "+14155550177"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/desk.svg", type=Path)
    out = parser.parse_args().out.resolve()
    with rig("modemd-desk-shot-") as bench:
        (bench.folder / "lab.toml").write_text("[pace]\nenabled = false\n")
        bench.start_emulator(2)
        bench.start_daemon(2)
        bench.wait_lines_ok(2)
        customers(bench)
        asyncio.run(shoot(bench, out))
    print(out)


def customers(bench: Rig) -> None:
    control = bench.control
    control.call("inject", line="line1", sender=GONE, text="Please stop texting me")
    control.call("inject", line="line1", sender=GONE, text="STOP")
    control.call("inject", line="line1", sender=GRACE,
                 text="Hi, my order #4711 has not arrived")
    control.call("inject", line="line2", sender=SHOP, text="Is the shop open on Sunday?")
    time.sleep(2)


async def shoot(bench: Rig, out: Path) -> None:
    config = configuration.load(str(bench.folder / "lab.toml"), db=str(bench.db))
    with reach(config) as desk:
        desk.call("add_contact", body={"number": GRACE, "name": "Grace Hopper"})
        app = DeskApp(Session(desk))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("slash", *"Grace", "enter", "escape", "c")
            await pilot.click("#text")
            await pilot.press(*"Sorry Grace! It left our depot today: https://t.example/4711")
            await pilot.press("enter")
            await asyncio.sleep(4)  # sent, then delivered
            await pilot.press(*"Anything else I can do for you today? ")
            await pilot.pause()
            app.save_screenshot(out.name, path=str(out.parent))


if __name__ == "__main__":
    run(main)
