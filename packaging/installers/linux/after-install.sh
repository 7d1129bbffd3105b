#!/bin/sh
# Posture Agent: after-install script of the deb (postinst) and rpm (post scriptlet) packages, set as
# deb.afterInstall and rpm.afterInstall in electron-builder.yml. electron-builder fills in the two
# template values when it builds the package: executable (linux.executableName, posture-agent-tray)
# and sanitizedProductName (productName as a file name, "Posture Agent"); the app is installed in
# /opt/<sanitizedProductName>. No other dollar-brace-letters-brace form may appear in this file
# (electron-builder refuses unknown names), and no percent sign (rpm expands macros in scriptlets).
#
# It replaces electron-builder's default after-install script, so it does what that one does
# (the /usr/bin/posture-agent-tray link, chrome-sandbox's mode, the AppArmor profile, the desktop
# database), and then installs the headless agent:
#   /usr/bin/posture-agent                            the posture-agent command (a wrapper, below)
#   /usr/lib/systemd/system/posture-agent.service     the daemon for the whole machine
#   /usr/lib/systemd/user/posture-agent.service       the daemon per user (opt-in)
# and, where systemd is the init system, enables and starts the system unit on the first install
# and restarts it (if it runs) on an upgrade. Without systemd it installs the files and succeeds.
#
# POSIX sh (rpm runs scriptlets with /bin/sh whatever the first line says), idempotent.
# Arguments: deb "configure <previously configured version, empty on a first install>";
# rpm "1" on a first install, "2" or more on an upgrade; none when run by hand.
# POSTURE_AGENT_DESTDIR, when set, is a directory used as the file-system root (tests); host
# state outside it (alternatives, AppArmor, desktop database) is then left alone.
set -e

app_dir='/opt/${sanitizedProductName}'
tray='${executable}'
root="${POSTURE_AGENT_DESTDIR:-}"
resources="$root$app_dir/resources"

case "${1:-}" in
  configure) if [ -z "${2:-}" ]; then first_install=yes; else first_install=no; fi ;;
  abort-*) first_install=no ;;
  '' | 1) first_install=yes ;;
  *) first_install=no ;;
esac

# Writes stdin to a file atomically (a temporary file next to it, then rename), with a mode.
put() {
  mkdir -p "$(dirname "$1")"
  cat >"$1.tmp-posture-agent"
  chmod "$2" "$1.tmp-posture-agent"
  mv -f "$1.tmp-posture-agent" "$1"
}

# --- what electron-builder's default after-install script does ---------------------------------

if [ -z "$root" ] && command -v update-alternatives >/dev/null 2>&1; then
  if [ -L "/usr/bin/$tray" ] && [ -e "/usr/bin/$tray" ] && [ "$(readlink "/usr/bin/$tray")" != "/etc/alternatives/$tray" ]; then
    rm -f "/usr/bin/$tray"
  fi
  update-alternatives --install "/usr/bin/$tray" "$tray" "$app_dir/$tray" 100 || ln -sf "$app_dir/$tray" "/usr/bin/$tray"
else
  mkdir -p "$root/usr/bin"
  ln -sf "$app_dir/$tray" "$root/usr/bin/$tray"
fi

# Chromium's sandbox: the SUID helper only where unprivileged user namespaces do not work.
if [ -L /proc/self/ns/user ] && unshare --user true >/dev/null 2>&1; then
  chmod 0755 "$root$app_dir/chrome-sandbox" 2>/dev/null || true
else
  chmod 4755 "$root$app_dir/chrome-sandbox" 2>/dev/null || true
fi

if [ -z "$root" ]; then
  if command -v update-mime-database >/dev/null 2>&1; then update-mime-database /usr/share/mime || true; fi
  if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database /usr/share/applications || true; fi
  # The AppArmor profile electron-builder puts in resources/ (Ubuntu 24.04 and later restrict
  # unprivileged user namespaces to programs with a profile); skipped where the running AppArmor
  # cannot parse it (Ubuntu 22.04), and not loaded into the kernel inside a chroot.
  if command -v apparmor_status >/dev/null 2>&1 && apparmor_status --enabled >/dev/null 2>&1; then
    if apparmor_parser --skip-kernel-load --debug "$resources/apparmor-profile" >/dev/null 2>&1; then
      cp -f "$resources/apparmor-profile" "/etc/apparmor.d/$tray"
      if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; }; then
        apparmor_parser --replace --write-cache --skip-read-cache "/etc/apparmor.d/$tray" || true
      fi
    else
      echo "posture-agent: this AppArmor cannot parse the bundled profile; not installing it" >&2
    fi
  fi
fi

# --- the posture-agent command -----------------------------------------------------------------
# The packaged Electron binary cannot run Node scripts (the runAsNode fuse is off); the app runs
# the posture-agent command line when started with --agent-cli. --ozone-platform=headless: no
# display is needed (systemd, SSH). --no-sandbox: Chromium aborts when started as root without it
# (the system unit and "sudo posture-agent" run as root), the units' NoNewPrivileges= and
# RestrictNamespaces= leave it no sandbox to set up anyway, and the command line opens no web
# content for a sandbox to contain.
put "$root/usr/bin/posture-agent" 0755 <<EOF
#!/bin/sh
# posture-agent: the Posture Agent command line, run by the tray app's binary.
# Installed by the $tray package; it is replaced on every upgrade.
exec "$app_dir/$tray" --no-sandbox --ozone-platform=headless --agent-cli "\$@"
EOF

# --- the daemon's systemd units (shipped in the app's resources by linux.extraResources) ------
put "$root/usr/lib/systemd/system/posture-agent.service" 0644 <"$resources/systemd/posture-agent.service"
put "$root/usr/lib/systemd/user/posture-agent.service" 0644 <"$resources/systemd/posture-agent-user.service"

if [ -d "$root/run/systemd/system" ]; then
  systemctl daemon-reload || true
  if [ "$first_install" = yes ]; then
    systemctl enable --now posture-agent.service ||
      echo "posture-agent: could not enable and start posture-agent.service; see: systemctl status posture-agent" >&2
  else
    # An upgrade: keep the administrator's choice (enabled or not), restart it if it runs.
    systemctl try-restart posture-agent.service || true
  fi
else
  echo "posture-agent: systemd is not running; start the daemon with: posture-agent run" >&2
fi

exit 0
