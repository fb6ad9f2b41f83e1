#!/usr/bin/env bash
# Builds the local base image the dev container build tests start FROM: Debian bookworm
# (debootstrap minbase) with python3, its venv module, PyYAML (for the conda stand-in), git and
# CA certificates (the system packages every generated image asks for), imported into the engine at
# DOCKER_HOST under a fixed tag. No image registry is involved. Reuses the image when the
# tag already exists, so only the first run pays the ~1 minute.
#
#   scripts/devcontainer-base-image.sh [TAG]      (default mlops-test/python-base:2)
set -euo pipefail

tag="${1:-mlops-test/python-base:2}"

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "devcontainer-base-image: $tag exists"
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends debootstrap ||
    { "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update && "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends debootstrap; }
fi

# The mirror apt already uses on this machine (deb822 or one-line sources), else Debian's default.
mirror="$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)"
if [ -z "$mirror" ]; then
  mirror="$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\/debian\)[[:space:]].*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n1 || true)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

work="$(mktemp -d /tmp/mlops-python-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
echo "devcontainer-base-image: debootstrap bookworm from $mirror"
debootstrap --variant=minbase --include=python3-minimal,python3-venv,python3-yaml,git,ca-certificates bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*

tar -C "$work/rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  - "$tag" >/dev/null
echo "devcontainer-base-image: built $tag"
