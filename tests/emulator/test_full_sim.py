"""A full SIM: the network holds what does not fit and delivers it once space frees."""

from __future__ import annotations

import re

import pytest

from modemd.sms import decode_from_sc, encode_submit

from .dte import profile_file, wait_for

CMTI = re.compile(rb'\r\n\+CMTI: "SM",(\d+)\r\n')


@pytest.fixture
def small_sim(bench, tmp_path):
    path = profile_file(tmp_path, "generic", storage="{ SM = 3, ME = 10, SR = 5 }")
    dte = bench.line(profile=path)
    dte.setup()
    return dte


def _texts(bench, dte) -> list[str]:
    return [decode_from_sc(m["pdu"]).text for m in bench.rig.storage(dte.name)["SM"]]


def test_custom_profile_capacity_is_reported(small_sim):
    small_sim.write(b"AT+CPMS?\r")
    small_sim.expect(b'\r\n+CPMS: "SM",0,3,"SM",0,3,"SM",0,3\r\n\r\nOK\r\n')


def test_full_sim_holds_then_releases_every_message_once(bench, small_sim):
    dte = small_sim
    for n in range(1, 6):
        bench.rig.inject(dte.name, "+15551112222", f"message {n}")
    dte.expect(b'\r\n+CMTI: "SM",1\r\n\r\n+CMTI: "SM",2\r\n\r\n+CMTI: "SM",3\r\n')
    wait_for(lambda: dte.describe()["held"] == 2, what="two messages held by the network")
    dte.silent(0.15)  # no +CMTI for what the network holds
    dte.write(b"AT+CPMS?\r")
    dte.expect(b'\r\n+CPMS: "SM",3,3,"SM",3,3,"SM",3,3\r\n\r\nOK\r\n')
    received = _texts(bench, dte)
    assert received == ["message 1", "message 2", "message 3"]

    dte.write(b"AT+CMGD=2\r")
    dte.expect(b'\r\nOK\r\n\r\n+CMTI: "SM",2\r\n')  # memory freed: one more comes in
    assert dte.describe()["held"] == 1
    received.append(decode_from_sc(bench.rig.storage(dte.name)["SM"][1]["pdu"]).text)
    dte.silent(0.1)

    dte.write(b"AT+CMGD=1,4\r")
    dte.expect(b'\r\nOK\r\n\r\n+CMTI: "SM",1\r\n')
    wait_for(lambda: dte.describe()["held"] == 0)
    received += _texts(bench, dte)
    dte.silent(0.15)
    assert sorted(received) == [f"message {n}" for n in range(1, 6)]
    assert received == [f"message {n}" for n in range(1, 6)]  # and in order


def test_full_sim_cmgw_is_322(bench, small_sim):
    dte = small_sim
    for n in range(3):
        bench.rig.inject(dte.name, "+15551112222", f"m{n}")
    for _ in range(3):
        dte.read_until(CMTI)
    (part,) = encode_submit("+15557654321", "no room")
    dte.write(f"AT+CMGW={part.tpdu_length},2\r".encode())
    dte.expect(b"\r\n> ")
    dte.write(part.pdu.encode() + b"\x1a")
    dte.expect(b"\r\n+CMS ERROR: 322\r\n")


def test_held_messages_survive_until_read_and_deleted_one_by_one(bench, small_sim):
    dte = small_sim
    for n in range(1, 8):
        bench.rig.inject(dte.name, "+15551112222", f"m{n}")
    for _ in range(3):
        dte.read_until(CMTI)
    wait_for(lambda: dte.describe()["held"] == 4)
    seen: list[str] = []
    while len(seen) < 7:
        index = bench.rig.storage(dte.name)["SM"][0]["index"]
        answer = dte.command(f"AT+CMGR={index}")
        seen.append(decode_from_sc(answer.split(b"\r\n")[2].decode()).text)
        dte.ok(f"AT+CMGD={index}")
        if len(seen) <= 4:
            dte.read_until(CMTI)
    assert sorted(seen) == [f"m{n}" for n in range(1, 8)]  # each exactly once
    assert dte.describe()["held"] == 0
    dte.silent(0.1)
