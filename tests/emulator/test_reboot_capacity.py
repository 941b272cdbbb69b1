"""A modem that reboots by itself, and a SIM resized to be nearly full."""

from __future__ import annotations

import time

import pytest
import serial

from modemd.emulator.control import handle, operations
from modemd.errors import InvalidInputError

from .dte import wait_for

SENDER = "+15551112222"


def test_reboot_drops_the_port_and_brings_it_back(bench):
    dte = bench.line()
    dte.setup()
    started = time.monotonic()
    bench.rig.reboot(dte.name, seconds=0.3)
    wait_for(lambda: not dte.describe()["plugged"], 2, "the port to go away")
    with pytest.raises(serial.SerialException):
        dte.port.read(1)
    wait_for(lambda: dte.describe()["plugged"], 2, "the port to come back")
    assert time.monotonic() - started >= 0.3
    again = bench.open(dte.name)
    again.write(b"AT\r")
    again.expect(b"AT\r\r\nOK\r\n")  # a fresh boot: echo is on again


def test_a_reboot_keeps_the_sim_and_what_is_stored_on_it(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.inject(dte.name, SENDER, "survives the reboot")
    dte.expect(b'\r\n+CMTI: "SM",1\r\n')
    bench.rig.reboot(dte.name, seconds=0.1)
    wait_for(lambda: not dte.describe()["plugged"], 2)
    wait_for(lambda: dte.describe()["plugged"], 2)
    assert len(bench.rig.storage(dte.name)["SM"]) == 1


def test_reboot_refuses_an_unplugged_line_and_silly_times(bench):
    dte = bench.line()
    with pytest.raises(InvalidInputError):
        bench.rig.reboot(dte.name, seconds=-1)
    bench.rig.unplug(dte.name)
    with pytest.raises(InvalidInputError, match="unplugged"):
        bench.rig.reboot(dte.name)


def test_a_nearly_full_sim_holds_the_rest_until_it_is_resized(bench):
    dte = bench.line()
    dte.setup()
    assert bench.rig.set_capacity(dte.name, "SM", 2) == {"memory": "SM", "used": 0,
                                                          "capacity": 2}
    for n in range(4):
        bench.rig.inject(dte.name, SENDER, f"burst {n}")
    wait_for(lambda: dte.describe()["held"] == 2, what="two held")
    dte.expect(b'\r\n+CMTI: "SM",1\r\n\r\n+CMTI: "SM",2\r\n')
    dte.write(b"AT+CPMS?\r")
    dte.expect(b'\r\n+CPMS: "SM",2,2,"SM",2,2,"SM",2,2\r\n\r\nOK\r\n')
    bench.rig.set_capacity(dte.name, "SM", 30)
    wait_for(lambda: dte.describe()["held"] == 0, what="the held ones delivered")
    assert len(bench.rig.storage(dte.name)["SM"]) == 4


def test_capacity_never_below_what_is_stored_and_only_for_known_memories(bench):
    dte = bench.line()
    dte.setup()
    bench.rig.inject(dte.name, SENDER, "one")
    bench.rig.inject(dte.name, SENDER, "two")
    wait_for(lambda: len(bench.rig.storage(dte.name)["SM"]) == 2)
    with pytest.raises(InvalidInputError, match="between 2"):
        bench.rig.set_capacity(dte.name, "SM", 1)
    with pytest.raises(InvalidInputError, match="no memory"):
        bench.rig.set_capacity(dte.name, "XX", 5)
    assert bench.rig.set_capacity(dte.name, "SM", 2)["capacity"] == 2


def test_the_new_operations_are_on_the_control_socket(bench):
    dte = bench.line()
    dte.setup()
    ops = operations(bench.rig)
    assert handle(ops, {"op": "capacity", "line": dte.name, "memory": "SM", "size": 3}) == {
        "ok": True, "result": {"memory": "SM", "used": 0, "capacity": 3}}
    assert handle(ops, {"op": "refused", "line": dte.name}) == {"ok": True, "result": []}
    assert handle(ops, {"op": "received", "line": dte.name}) == {"ok": True, "result": []}
    answer = handle(ops, {"op": "reboot", "line": dte.name, "seconds": 0.1})
    assert answer == {"ok": True, "result": None}
    wait_for(lambda: not dte.describe()["plugged"], 2)
