"""Huawei quirks as data: \\r\\r\\n line ends, COMMAND NOT SUPPORT, unasked ^RSSI/^BOOT."""

from __future__ import annotations

import re
import time

from .dte import profile_file

END = b"\r\r\n"


def test_every_line_ends_in_cr_cr_lf(bench):
    dte = bench.line(profile="huawei")
    dte.write(b"AT\r")
    dte.expect(b"AT\r" + END + b"OK" + END)
    dte.write(b"AT+CSQ\r")
    dte.expect(b"AT+CSQ\r" + END + b"+CSQ: 20,0" + END + END + b"OK" + END)
    dte.write(b"AT+CMEE=1;+CMGR=99\r")
    dte.expect(b"AT+CMEE=1;+CMGR=99\r" + END + b"+CMS ERROR: 321" + END)


def test_urcs_and_prompt_use_huawei_line_ends(bench):
    dte = bench.line(profile="huawei")
    dte.setup("AT+CNMI=2,1,0,0,0")
    bench.rig.inject(dte.name, "+15551112222", "hi")
    dte.read_until(END + b'+CMTI: "SM",1' + END)
    dte.write(b"AT+CMGS=10\r")
    dte.expect(END + b"> ")
    dte.write(b"\x1b")


def test_huawei_default_cnmi_buffers_until_set(bench):
    dte = bench.line(profile="huawei")
    dte.setup()
    dte.write(b"AT+CNMI?\r")
    dte.expect(END + b"+CNMI: 0,0,0,0,0" + END + END + b"OK" + END)


def test_huawei_vendor_commands_are_accepted(bench):
    dte = bench.line(profile="huawei")
    dte.setup()
    dte.write(b"AT^CURC=0\r")
    dte.expect(END + b"OK" + END)
    dte.write(b"AT^U2DIAG=0\r")
    dte.expect(END + b"OK" + END)


def test_huawei_empty_read_is_ok(bench):
    dte = bench.line(profile="huawei")
    dte.setup()
    dte.write(b"AT+CMGR=1\r")
    dte.expect(END + b"OK" + END)


def test_huawei_periodic_rssi_and_boot_arrive_unasked(bench):
    started = time.monotonic()
    dte = bench.line(profile="huawei")
    data = dte.read_until(END + b"^RSSI: 20" + END, timeout=7)
    assert time.monotonic() - started >= 4.5  # every 5 s
    assert re.fullmatch(rb"(\r\r\n\^BOOT:12345678,0,0,0,75\r\r\n)+\r\r\n\^RSSI: 20\r\r\n", data)


def test_periodic_rssi_follows_the_signal(bench, tmp_path):
    path = profile_file(tmp_path, "huawei", periodic_urcs='[{ text = "^RSSI: {rssi}", '
                                                          "interval = 0.2 }]")
    dte = bench.line(profile=path)
    dte.expect(END + b"^RSSI: 20" + END, timeout=1)
    bench.rig.set_signal(dte.name, 9)
    dte.read_until(END + b"^RSSI: 9" + END, timeout=1)
    dte.expect(END + b"^RSSI: 9" + END, timeout=1)
    first = time.monotonic()
    dte.expect(END + b"^RSSI: 9" + END, timeout=1)
    assert time.monotonic() - first >= 0.1


def test_periodic_urcs_stop_when_unplugged(bench, tmp_path):
    path = profile_file(tmp_path, "huawei", periodic_urcs='[{ text = "^RSSI: {rssi}", '
                                                          "interval = 0.1 }]")
    dte = bench.line(profile=path)
    dte.read_until(b"^RSSI", timeout=1)
    bench.rig.unplug(dte.name)
    time.sleep(0.3)
    entries = bench.rig.transcript(dte.name, since=time.time() - 0.15)
    assert [e for e in entries if e["dir"] == "tx"] == []
