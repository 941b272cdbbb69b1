"""URC handlers run on their own thread: a slow or broken handler stalls nothing."""

from __future__ import annotations

import threading

from modemd.at import Urc
from modemd.emulator.rig import Rig

from .conftest import LINE
from .helpers import UrcLog, wait_for
from .test_failure_modes import synced


def test_urc_handlers_never_run_on_the_reader(memory_rig: Rig, connect) -> None:
    release = threading.Event()
    log = UrcLog()

    def stuck_handler(urc: Urc) -> None:
        log(urc)
        release.wait(5)

    channel = synced(connect(memory_rig, on_urc=stuck_handler))
    memory_rig.urc(LINE, '+CMTI: "SM",1')
    memory_rig.urc(LINE, '+CMTI: "SM",2')
    wait_for(lambda: log.urcs, what="first URC")
    # the handler is blocked; if it ran on the reader, this answer would never be read
    assert channel.command("AT+CSQ", expect="+CSQ", timeout=2) == ["+CSQ: 20,0"]
    release.set()
    assert [u.fields[1] for u in log.wait("+CMTI", 2)] == ["1", "2"]
    (thread,) = set(log.threads)
    assert thread is not threading.current_thread()
    assert not thread.name.startswith("at-read")


def test_a_failing_handler_does_not_stop_delivery(memory_rig: Rig, connect) -> None:
    log = UrcLog()

    def flaky(urc: Urc) -> None:
        log(urc)
        if urc.fields[-1] == "1":
            raise RuntimeError("handler bug")

    synced(connect(memory_rig, on_urc=flaky))
    memory_rig.urc(LINE, '+CMTI: "SM",1')
    memory_rig.urc(LINE, '+CMTI: "SM",2')
    assert len(log.wait("+CMTI", 2)) == 2
