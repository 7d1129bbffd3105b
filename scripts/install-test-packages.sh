#!/usr/bin/env bash
# Installs the Debian packages the tests use as real peers (design §8). Idempotent; needs root or sudo.
# Usage: scripts/install-test-packages.sh PACKAGE...
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: $0 PACKAGE..." >&2; exit 2; }
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
stamp=/tmp/.posture-agent-apt-updated
[ -f "$stamp" ] || { run apt-get update -qq; touch "$stamp"; }
run apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
