#!/usr/bin/env bash
# System packages for the end-to-end suite: Debian's Chromium (driven by playwright-core)
# and the toolchain code-server's native modules compile with (node-gyp, Kerberos headers).
# Idempotent: installs only what is missing, and refreshes the package lists at most once.
set -euo pipefail

packages=(chromium libkrb5-dev build-essential python3 ca-certificates fonts-dejavu-core)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "e2e-setup: system packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
else
  sudo_cmd=()
fi
export DEBIAN_FRONTEND=noninteractive
apt_install() {
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"
}

echo "e2e-setup: installing ${missing[*]}"
# A fresh machine has empty or stale lists: update once, only when an install cannot resolve.
if ! apt_install "${missing[@]}"; then
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update
  apt_install "${missing[@]}"
fi
