"""The appliance's files, offline: the unit's sandbox score and the settings it must
keep, the sysusers and tmpfiles files applied to a scratch root, the install script,
and the example configuration. tests/appliance runs them under a real systemd."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from modemd import config as configuration
from modemd import config_tables

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "systemd"
UNIT = SYSTEMD / "modemd.service"
INSTALL = SYSTEMD / "install.sh"
MAX_EXPOSURE = 2.0


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_unit_scores_at_most_2_in_systemd_analyze_security():
    done = run(need("systemd-analyze"), "security", "--offline=true", "--no-pager", str(UNIT))
    if "--offline" in done.stderr:
        pytest.skip(f"this systemd-analyze has no --offline: {done.stderr.strip()}")
    level = re.search(r"Overall exposure level for modemd\.service: (\d+\.\d+)", done.stdout)
    assert level, done.stdout + done.stderr
    assert float(level.group(1)) <= MAX_EXPOSURE, done.stdout


def test_the_unit_keeps_what_the_daemon_needs_inside_its_sandbox():
    unit = directives(UNIT.read_text())
    one = {key: values[-1] for key, values in unit.items()}
    assert one["ExecStart"] == "/opt/modemd/bin/modemd run --config /etc/modemd/modemd.toml"
    assert (one["Type"], one["Restart"], one["KillSignal"]) == ("notify", "always", "SIGTERM")
    assert int(one["WatchdogSec"]) > 0 and int(one["TimeoutStopSec"]) >= 180, "a +CMGS: 180 s"
    assert (one["User"], one["Group"], one["SupplementaryGroups"]) == ("modemd", "modemd",
                                                                        "dialout")
    assert one["UMask"] == "0027", "the database 0640: only user modemd writes it"
    for kind in ("State", "Runtime", "Logs"):
        assert one[f"{kind}Directory"] == "modemd"
        assert one[f"{kind}DirectoryMode"] in ("0750", "2750"), "the group reads, no more"
    assert one["DevicePolicy"] == "closed"
    assert set(unit["DeviceAllow"]) == {"char-ttyUSB rw", "char-ttyACM rw", "char-pts rw"}
    assert "PrivateDevices" not in unit, "it hides /dev/ttyUSB* and /dev/modemd/by-path"
    assert one["ProtectSystem"] == "strict"
    assert set(one["RestrictAddressFamilies"].split()) == {"AF_UNIX", "AF_NETLINK", "AF_INET",
                                                           "AF_INET6"}
    assert (one["IPAddressDeny"], one["IPAddressAllow"]) == ("any", "localhost")
    assert "@system-service" in unit["SystemCallFilter"]


def make_users(root: Path) -> None:
    (root / "etc").mkdir(exist_ok=True)
    done = run(need("systemd-sysusers"), f"--root={root}", str(SYSTEMD / "modemd.sysusers"))
    assert done.returncode == 0, done.stderr


def test_sysusers_makes_user_and_group_modemd_with_modemd_in_dialout(tmp_path):
    (tmp_path / "etc").mkdir()
    dry = run(need("systemd-sysusers"), "--dry-run", f"--root={tmp_path}",
              str(SYSTEMD / "modemd.sysusers"))
    assert dry.returncode == 0, dry.stderr
    assert "Creating user 'modemd'" in dry.stderr + dry.stdout
    assert not (tmp_path / "etc" / "passwd").exists(), "a dry run writes nothing"
    make_users(tmp_path)
    passwd = (tmp_path / "etc" / "passwd").read_text()
    assert re.search(r"^modemd:x:\d+:\d+:[^:]*:/var/lib/modemd:/usr/sbin/nologin$", passwd,
                     re.MULTILINE), passwd
    groups = {line.split(":")[0]: line.split(":")[3]
              for line in (tmp_path / "etc" / "group").read_text().splitlines()}
    assert "modemd" in groups
    assert groups["dialout"].split(",") == ["modemd"]


def test_tmpfiles_make_the_folders_with_their_modes(tmp_path):
    """Applied to a scratch root whose users come from sysusers."""
    if os.geteuid() != 0:
        pytest.skip("giving the folders to user modemd needs root")
    make_users(tmp_path)
    config = tmp_path / "etc" / "modemd" / "modemd.toml"
    config.parent.mkdir(parents=True)
    config.write_text("")
    config.chmod(0o644)
    done = run(need("systemd-tmpfiles"), "--create", f"--root={tmp_path}",
               str(SYSTEMD / "modemd.tmpfiles"))
    assert done.returncode == 0, done.stderr
    modemd = next(line.split(":")[2] for line in (tmp_path / "etc" / "passwd").read_text()
                  .splitlines() if line.startswith("modemd:"))
    expected = {"etc/modemd": (0o40755, 0), "etc/modemd/modemd.toml": (0o100640, 0),
                "var/lib/modemd": (0o42750, int(modemd)),
                "var/log/modemd": (0o40750, int(modemd))}
    for path, (mode, owner) in expected.items():
        stat = (tmp_path / path).stat()
        assert (oct(stat.st_mode), stat.st_uid) == (oct(mode), owner), path
    assert not (tmp_path / "var/lib/modemd/modemd.db").exists(), "the daemon makes it, 0640"


def test_the_install_script_is_valid_bash_and_passes_shellcheck():
    assert INSTALL.stat().st_mode & 0o111, "executable: the README runs it as systemd/install.sh"
    syntax = run("bash", "-n", str(INSTALL))
    assert syntax.returncode == 0, syntax.stderr
    if shutil.which("shellcheck"):
        lint = run("shellcheck", str(INSTALL))
        assert lint.returncode == 0, lint.stdout


def test_the_install_script_explains_itself_on_a_wrong_command():
    done = run("bash", str(INSTALL), "reinstall-everything")
    assert done.returncode != 0
    assert "install [SOURCE]" in done.stdout + done.stderr
    assert "uninstall [--purge]" in done.stdout + done.stderr


def uncommented(text: str) -> str:
    """The example with its commented settings and [[modem]], [[webhook]] and [[hook]]
    tables switched on."""
    setting = re.compile(r"^# (\[\[(?:modem|webhook|hook)\]\]|[a-z_]+ = .*)$")
    return "\n".join(setting.sub(r"\1", line) for line in text.splitlines())


def test_the_example_configuration_is_accepted_with_every_example_switched_on(tmp_path):
    example = (SYSTEMD / "modemd.toml").read_text()
    as_shipped = tmp_path / "shipped.toml"
    as_shipped.write_text(example)
    shipped = configuration.load(str(as_shipped))
    assert shipped.database == Path("/var/lib/modemd/modemd.db")
    assert shipped.discover == ("/dev/modemd/by-path/*",)
    assert shipped.modems == ()
    everything = tmp_path / "everything.toml"
    everything.write_text(uncommented(example))
    loaded = configuration.load(str(everything))
    assert loaded.metrics == "127.0.0.1:9597" and loaded.retention_days == 365
    assert shipped.webhooks == shipped.hooks == () and loaded.webhook_retry_hours == 24
    assert [(w.url, w.secret) for w in loaded.webhooks] == [
        ("https://crm.example.org/modemd", "change-me")]
    assert [(h.command, h.events) for h in loaded.hooks] == [
        (("/usr/local/bin/on-sms",), ("inbound",))]
    assert loaded.pace == shipped.pace == configuration.Pace()  # the defaults, spelled out
    assert [m.iccid or m.imei or m.port for m in loaded.modems] == [
        "89014103211118510720", "356938035643809",
        "/dev/modemd/by-path/pci-0000:00:14.0-usb-0:1:1.2"]


def test_the_example_configuration_names_every_setting_modemd_accepts():
    example = uncommented((SYSTEMD / "modemd.toml").read_text())
    named = set(re.findall(r"^([a-z_]+) = ", example, re.MULTILINE)) | {
        "modem", "webhook", "hook"}
    known = (set(configuration._TOP_KEYS) | set(configuration._MODEM_KEYS)
             | set(config_tables.PACE_KEYS) | set(configuration._TABLES) - {"pace"}
             | set(config_tables.WEBHOOK_KEYS) | set(config_tables.HOOK_KEYS))
    assert known - named == set(), "document these in systemd/modemd.toml"
    assert "\n[pace]\n" in example
    assert "\n[[webhook]]\n" in example and "\n[[hook]]\n" in example
