#!/usr/bin/env bash
# Install modemd as an appliance on a Debian-like box with systemd, or remove it.
#   systemd/install.sh install [SOURCE]   SOURCE: this repository (default), another
#                                          source folder, or a wheel (also --wheel FILE)
#   systemd/install.sh uninstall [--purge] --purge also deletes config, database, logs
# Idempotent: installing again upgrades the code and restarts the daemon; the
# configuration and the database are kept. docs/appliance.md lists what goes where.
set -euo pipefail

PREFIX=/opt/modemd
UNIT=/etc/systemd/system/modemd.service
SYSUSERS=/etc/sysusers.d/modemd.conf
TMPFILES=/etc/tmpfiles.d/modemd.conf
RULES=/etc/udev/rules.d/77-modemd.rules
CONFIG=/etc/modemd/modemd.toml
LINK=/usr/local/bin/modemd
STATE=/var/lib/modemd
DOC="$PREFIX/share/doc/modemd"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "run it as root: sudo $0 $*"; }

usage() {
  sed -n '2,7s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  exit 2
}

systemd_runs() { [ -d /run/systemd/system ]; }
udev_runs() { command -v udevadm >/dev/null && udevadm control --ping 2>/dev/null; }

# pip builds in the tree it is given: build from a copy, so the source may be
# read-only and stays clean.
install_code() {
  local source="$1"
  [ -x "$PREFIX/bin/pip" ] || python3 -m venv "$PREFIX" ||
    die "cannot make the virtualenv $PREFIX: install python3-venv (apt-get install python3-venv)"
  if [ -d "$source" ]; then
    BUILD="$(mktemp -d)"
    trap 'rm -rf "$BUILD"' EXIT
    tar -C "$source" --exclude=./.git --exclude=./.venv --exclude='*.egg-info' \
      --exclude=./build --exclude='__pycache__' -cf - . | tar -C "$BUILD" -xf -
    source="$BUILD"
  fi
  "$PREFIX/bin/pip" install --quiet --disable-pip-version-check "$source"
  # pip always reinstalls a source folder, but a wheel only if its version changed.
  if [ -f "$source" ]; then
    "$PREFIX/bin/pip" install --quiet --disable-pip-version-check --no-deps \
      --force-reinstall "$source"
  fi
  ln -sfn "$PREFIX/bin/modemd" "$LINK"
}

install_files() {
  install -D -m 0644 "$HERE/modemd.service" "$UNIT"
  install -D -m 0644 "$HERE/modemd.sysusers" "$SYSUSERS"
  install -D -m 0644 "$HERE/modemd.tmpfiles" "$TMPFILES"
  install -D -m 0644 "$REPO/udev/77-modemd.rules" "$RULES"
  install -D -m 0644 "$REPO/docs/appliance.md" "$DOC/appliance.md"
  systemd-sysusers "$SYSUSERS"
  if [ -e "$CONFIG" ]; then
    say "keeping your $CONFIG"
  else
    install -D -m 0640 -o root -g modemd "$HERE/modemd.toml" "$CONFIG"
    say "wrote the example $CONFIG: name your modems there"
  fi
  systemd-tmpfiles --create "$TMPFILES"
  only_modemd_writes
}

# An older install left the database group-writable (0660): agents now send through
# the API socket, so only user modemd writes it (tmpfiles fixed the folders).
only_modemd_writes() {
  find "$STATE" -maxdepth 1 -type f -perm -g=w -exec chmod g-w {} +
}

reload_udev() {
  if udev_runs; then
    udevadm control --reload
    udevadm trigger --subsystem-match=tty --action=add
  else
    say "udev is not running here: the rule applies from the next boot"
  fi
}

start_daemon() {
  if ! systemd_runs; then
    say "systemd is not running here: enable it later with systemctl enable --now modemd"
    return
  fi
  systemctl daemon-reload
  systemctl enable --quiet modemd
  # restart, not start: a re-install runs the new code (SIGTERM finishes the part in flight).
  systemctl restart modemd ||
    die "modemd did not start: see journalctl -u modemd -n 50"
  say "modemd is running; add agents with: usermod -aG modemd NAME"
}

do_install() {
  local source="$REPO"
  while [ $# -gt 0 ]; do
    case "$1" in
      --wheel) [ $# -ge 2 ] || usage; source="$2"; shift 2 ;;
      -h|--help) usage ;;
      -*) usage ;;
      *) source="$1"; shift ;;
    esac
  done
  [ -e "$source" ] || die "$source does not exist: give a source folder or a wheel"
  install_code "$source"
  install_files
  reload_udev
  start_daemon
}

do_uninstall() {
  local purge=no
  case "${1:-}" in
    --purge) purge=yes ;;
    "") ;;
    *) usage ;;
  esac
  if systemd_runs; then
    systemctl disable --now --quiet modemd 2>/dev/null || true
  fi
  rm -f "$UNIT" "$SYSUSERS" "$TMPFILES" "$RULES"
  if [ "$(readlink "$LINK" 2>/dev/null)" = "$PREFIX/bin/modemd" ]; then rm -f "$LINK"; fi
  rm -rf "$PREFIX"
  if systemd_runs; then systemctl daemon-reload; fi
  if udev_runs; then udevadm control --reload; fi
  if [ "$purge" = yes ]; then
    rm -rf /etc/modemd /var/lib/modemd /var/log/modemd /run/modemd
    if getent passwd modemd >/dev/null; then userdel modemd; fi
    if getent group modemd >/dev/null; then groupdel modemd; fi
    say "removed modemd, its configuration, database, logs, user and group"
  else
    say "removed modemd; kept /etc/modemd, /var/lib/modemd, /var/log/modemd and user" \
      "modemd (--purge deletes them)"
  fi
}

case "${1:-}" in
  install) need_root "$@"; shift; do_install "$@" ;;
  uninstall) need_root "$@"; shift; do_uninstall "$@" ;;
  *) usage ;;
esac
