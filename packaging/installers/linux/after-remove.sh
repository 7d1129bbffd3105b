#!/bin/sh
# Posture Agent: after-remove script of the deb (postrm) and rpm (postun scriptlet) packages, set
# as deb.afterRemove and rpm.afterRemove in electron-builder.yml; electron-builder fills in the
# same two template values as in after-install.sh, and the same rules apply (no other
# dollar-brace-letters-brace form, no percent sign, POSIX sh, idempotent).
#
# It replaces electron-builder's default after-remove script, so it removes the
# /usr/bin/posture-agent-tray link and the AppArmor profile, and then what after-install.sh
# added: stops and disables the daemon, removes its units and the posture-agent command.
# It acts only when the package is really removed, not on an upgrade: deb runs it with
# "remove" or "purge" (and "upgrade" for the old version during an upgrade); rpm with "0" on
# removal and "1" or more for the old version after an upgrade (after the new version's
# after-install script has run, so removing anything then would break the upgrade).
# The agent's state (device key, enrolment) in /var/lib/posture-agent is left in place, also on
# purge: a new key means enrolling the device again, so deleting it is a deliberate, separate step.
# POSTURE_AGENT_DESTDIR, when set, is a directory used as the file-system root (tests).
set -e

app_dir='/opt/${sanitizedProductName}'
tray='${executable}'
root="${POSTURE_AGENT_DESTDIR:-}"

case "${1:-}" in
  remove | purge | 0 | '') ;;
  *) exit 0 ;;
esac

if [ -d "$root/run/systemd/system" ]; then
  systemctl disable --now posture-agent.service >/dev/null 2>&1 || true
fi
# A user unit an administrator enabled for everyone ("systemctl --global enable") leaves links
# in /etc/systemd/user; this works without a running systemd.
if [ -z "$root" ] && command -v systemctl >/dev/null 2>&1; then
  systemctl --global disable posture-agent.service >/dev/null 2>&1 || true
fi

rm -f "$root/usr/lib/systemd/system/posture-agent.service" "$root/usr/lib/systemd/user/posture-agent.service"
rm -f "$root/usr/bin/posture-agent"

if [ -d "$root/run/systemd/system" ]; then
  systemctl daemon-reload || true
  systemctl reset-failed posture-agent.service >/dev/null 2>&1 || true
fi

# --- what electron-builder's default after-remove script does ----------------------------------
if [ -z "$root" ] && command -v update-alternatives >/dev/null 2>&1; then
  update-alternatives --remove "$tray" "$app_dir/$tray" || true
else
  rm -f "$root/usr/bin/$tray"
fi

profile="$root/etc/apparmor.d/$tray"
if [ -f "$profile" ]; then
  if [ -z "$root" ] && command -v apparmor_status >/dev/null 2>&1 && apparmor_status --enabled >/dev/null 2>&1; then
    if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; } && command -v apparmor_parser >/dev/null 2>&1; then
      apparmor_parser --remove "$profile" || true
    fi
  fi
  rm -f "$profile"
fi

exit 0
