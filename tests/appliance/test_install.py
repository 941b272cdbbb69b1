"""The README's appliance commands in a fresh Debian with systemd: what they install,
who may use it, that the sandbox is in force and still reaches the modems, and that
installing again and uninstalling keep what they promise."""

from __future__ import annotations

import re
import shlex
import time

from .conftest import CONFIG, OUTSIDER, STATE, Appliance


def modes(appliance: Appliance, *paths: str) -> dict[str, str]:
    out = appliance.machine.sh("stat -c '%n %a %U:%G' " + " ".join(paths)).stdout
    return {name: rest for name, rest in (line.split(" ", 1) for line in out.splitlines())}


def test_the_readme_commands_install_enable_and_start_it(appliance: Appliance):
    assert "modemd is running" in appliance.installed
    assert "active (running)" in appliance.installed, "systemctl status, the last command"
    unit = appliance.unit("UnitFileState", "ActiveState", "FragmentPath", "NRestarts")
    assert unit == {"UnitFileState": "enabled", "ActiveState": "active",
                    "FragmentPath": "/etc/systemd/system/modemd.service", "NRestarts": "0"}
    link = appliance.machine.sh("readlink /usr/local/bin/modemd; command -v modemd").stdout
    assert link.split() == ["/opt/modemd/bin/modemd", "/usr/local/bin/modemd"]
    installed = modes(appliance, "/etc/sysusers.d/modemd.conf", "/etc/tmpfiles.d/modemd.conf",
                      "/etc/udev/rules.d/77-modemd.rules")
    assert set(installed.values()) == {"644 root:root"}


def test_folders_database_and_sockets_belong_to_user_and_group_modemd(appliance: Appliance):
    appliance.send("+12015550102", "Makes the -wal and -shm files")
    found = modes(appliance, "/etc/modemd", CONFIG, STATE, "/var/log/modemd", "/run/modemd",
                  "/run/modemd/api.sock", f"{STATE}/modemd.db", f"{STATE}/modemd.db-wal",
                  f"{STATE}/modemd.db-shm", f"{STATE}/modemd.db.wake")
    assert found == {  # the group (the agents) reads the database and reaches the API
        "/etc/modemd": "755 root:root", CONFIG: "640 root:modemd",
        STATE: "2750 modemd:modemd", "/var/log/modemd": "750 modemd:modemd",
        "/run/modemd": "750 modemd:modemd", "/run/modemd/api.sock": "660 modemd:modemd",
        f"{STATE}/modemd.db": "640 modemd:modemd", f"{STATE}/modemd.db-wal": "640 modemd:modemd",
        f"{STATE}/modemd.db-shm": "640 modemd:modemd",
        f"{STATE}/modemd.db.wake": "750 modemd:modemd"}
    groups = appliance.machine.sh("id -nG modemd").stdout.split()
    assert sorted(groups) == ["dialout", "modemd"]


def test_an_agent_in_group_modemd_sends_and_an_outsider_is_refused(appliance: Appliance):
    message_id = appliance.send("+12015550102", "Hello from an agent in group modemd")
    assert appliance.wait_status(message_id) in ("sent", "delivered")
    assert appliance.submitted("Hello from an agent in group modemd") == 1
    inbox = appliance.cli("inbox")
    assert "Hello from an agent in group modemd" in [m["text"] for m in inbox]

    refused = appliance.cli("status", user=OUTSIDER, check=False)
    assert refused.returncode == 1
    assert re.search(rf"cannot read the configuration {CONFIG}: .*Permission denied",
                     refused.stderr), refused.stderr
    appliance.machine.sh("touch ~/own.toml", user=OUTSIDER)  # a config of their own
    sneaky = appliance.cli("send", "+12015550102", "sneaky", "--config", "own.toml", "--db",
                           f"{STATE}/modemd.db", user=OUTSIDER, check=False)
    assert sneaky.returncode == 1
    assert "Permission denied" in sneaky.stderr, sneaky.stderr
    assert appliance.submitted("sneaky") == 0


def test_while_the_daemon_is_stopped_root_queues_and_an_agent_is_told_it_is_needed(
        appliance: Appliance):
    """Root writes the database itself; SQLite gives the -wal/-shm a root process makes
    to the database's owner, so the daemon still writes after root worked alone."""
    machine = appliance.machine
    machine.sh("systemctl stop modemd")
    try:
        refused = appliance.cli("outbox", check=False)
        assert refused.returncode == 1 and len(refused.stderr.splitlines()) == 1, refused
        assert refused.stderr.startswith(
            "Error: this needs the daemon, and its API cannot be reached (no socket at "
            "/run/modemd/api.sock"), refused.stderr
        assert "is `modemd run` running (on the appliance: systemctl status modemd)? " \
            "Without it this user may not work on the database: " in refused.stderr
        appliance.cli("outbox", user=None)
        message_id = appliance.send("+12015550102", "Queued while the daemon was stopped",
                                    user=None)
        others = machine.sh(f"find {STATE} ! -user modemd -printf '%p %u\\n'").stdout
        assert others == "", f"root left files the daemon may not write: {others}"
    finally:
        machine.sh("systemctl start modemd")
    appliance.wait_lines_ok()
    assert appliance.wait_status(message_id) in ("sent", "delivered")


def test_the_sandbox_is_in_force_and_still_reaches_the_modem_ttys(appliance: Appliance):
    machine = appliance.machine
    score = machine.sh("systemd-analyze security modemd --no-pager").stdout
    level = re.search(r"Overall exposure level for modemd.service: (\d+\.\d+)", score)
    assert level and float(level.group(1)) <= 2.0, score
    pid = appliance.unit("MainPID")["MainPID"]
    status = machine.sh(f"grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/{pid}/status").stdout
    assert status.split() == ["CapEff:", "0000000000000000", "NoNewPrivs:", "1", "Seccomp:", "2"]
    assert machine.sh(f"nsenter -t {pid} -m test -w /etc", check=False).returncode == 1
    assert machine.sh(f"nsenter -t {pid} -m ls -A /home").stdout == "", "homes are hidden"
    # In the daemon's cgroup a tty opens and any other device does not: the device
    # policy is really enforced here, so the lines being ok proves the allow list.
    tty = appliance.cli("status")["lines"][0]["port"]
    assert appliance.in_service_cgroup(f"exec 3<>{tty}").returncode == 0
    denied = appliance.in_service_cgroup("exec 3<>/dev/net/tun")
    assert "Operation not permitted" in denied.stderr, denied.stderr
    assert machine.sh("exec 3<>/dev/net/tun", check=False).returncode == 0, "outside it may"


FETCH = "import sys, urllib.request as u; print(u.urlopen(sys.argv[1]).read().decode())"
DATAGRAM = "import socket; socket.socket(2, 2).sendto(b'x', ('192.0.2.1', 9))"  # TEST-NET-1


def test_the_metrics_answer_on_loopback_and_no_other_address_is_reachable(
        appliance: Appliance):
    url = f"http://{appliance.metrics}/metrics"
    metrics = appliance.in_service_cgroup(f"python3 -c {shlex.quote(FETCH)} {url}")
    assert metrics.returncode == 0, metrics.stderr
    assert "modemd_" in metrics.stdout
    # IPAddressDeny=any: a datagram to anywhere but localhost is refused at once.
    send = f"python3 -c {shlex.quote(DATAGRAM)}"
    refused = appliance.in_service_cgroup(send)
    assert "Operation not permitted" in refused.stderr, refused.stderr
    assert "Operation not permitted" not in appliance.machine.sh(send, check=False).stderr


INSTALLED = "/opt/modemd/lib/python3*/site-packages/modemd/__init__.py"
STYLESHEET = "/opt/modemd/lib/python3*/site-packages/modemd/tui/desk.tcss"
# a checkout's own build/ (left by an earlier `pip install .`) would put stale modules in
WHEEL = ("cp -r /srv/modemd /tmp/source && rm -rf /tmp/source/build && "
         "/opt/modemd/bin/pip wheel --quiet --no-deps "
         "--wheel-dir /tmp/wheel /tmp/source >&2 && ls /tmp/wheel/modemd-*.whl")


def test_installing_again_from_a_wheel_upgrades_the_code_and_keeps_config_and_data(
        appliance: Appliance):
    machine = appliance.machine
    config, code = machine.sh(f"md5sum {CONFIG}").stdout, machine.sh(f"stat -c %Y {INSTALLED}")
    message_id = appliance.send("+12015550102", "Sent before the second install")
    appliance.wait_status(message_id)
    pid = appliance.unit("MainPID")["MainPID"]
    wheel = machine.sh(WHEEL, timeout=120).stdout.strip()  # the same version number
    machine.sh(f"chmod 0660 {STATE}/modemd.db")  # as an install before the API left it
    time.sleep(1)  # a reinstalled file has a later mtime
    again = machine.sh(f"cd /srv/modemd && systemd/install.sh install --wheel {wheel}",
                       timeout=300)
    assert f"keeping your {CONFIG}" in again.stdout
    assert machine.sh(f"md5sum {CONFIG}").stdout == config
    assert modes(appliance, f"{STATE}/modemd.db") == {f"{STATE}/modemd.db": "640 modemd:modemd"}
    assert int(machine.sh(f"stat -c %Y {INSTALLED}").stdout) > int(code.stdout), "reinstalled"
    assert machine.sh(f"ls {STYLESHEET}").stdout.strip(), "modemd desk's layout in the wheel"
    unit = appliance.unit("ActiveState", "MainPID")
    assert unit["ActiveState"] == "active" and unit["MainPID"] != pid, "restarted"
    appliance.wait_lines_ok()
    assert appliance.status(message_id) in ("sent", "delivered")
    assert appliance.submitted("Sent before the second install") == 1
