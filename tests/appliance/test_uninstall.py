"""Uninstalling: data kept, then purged. Named to sort last in tests/appliance: it
takes away the appliance the other modules share."""

from __future__ import annotations

from .conftest import AGENT, CONFIG, STATE, Appliance


def test_uninstall_keeps_the_data_and_purge_removes_everything(appliance: Appliance):
    machine = appliance.machine
    kept = machine.sh("/srv/modemd/systemd/install.sh uninstall").stdout
    assert "kept" in kept
    gone = "/opt/modemd /usr/local/bin/modemd /etc/systemd/system/modemd.service"
    assert machine.sh(f"ls -d {gone}", check=False).stdout == ""
    assert appliance.unit("LoadState")["LoadState"] == "not-found"
    assert machine.sh(f"ls {STATE}/modemd.db {CONFIG} && id modemd").returncode == 0
    machine.sh("/srv/modemd/systemd/install.sh uninstall --purge")
    assert machine.sh(f"ls -d {STATE} /etc/modemd", check=False).stdout == ""
    assert machine.sh("getent passwd modemd; getent group modemd", check=False).stdout == ""
    assert AGENT in machine.sh("getent passwd").stdout, "other users are left alone"
