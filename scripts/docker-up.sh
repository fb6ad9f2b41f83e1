#!/usr/bin/env bash
# Starts a private Docker engine for the tests (docker executor, dev container builds) and
# builds the local busybox image they run: mlops-test/busybox:1. Idempotent: installs
# docker.io and busybox-static only when missing, starts dockerd only when none answers on
# its socket, imports the image only when absent. No registry is ever contacted.
# Prints the DOCKER_HOST to export; tests also find the socket at its fixed path.
#
#   eval "$(scripts/docker-up.sh)"      # then: export DOCKER_HOST=unix:///tmp/mlops-docker/docker.sock
set -euo pipefail

base=/tmp/mlops-docker
sock="$base/docker.sock"
image=mlops-test/busybox:1
export DOCKER_HOST="unix://$sock"

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
apt_install() {
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" ||
    { "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update && "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"; }
}
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then apt_install docker.io >&2; fi
if [ ! -x /bin/busybox ]; then apt_install busybox-static >&2; fi

if ! docker version >/dev/null 2>&1; then
  "${sudo_cmd[@]}" mkdir -p "$base"
  # The exec root stays short: the engine's sockets live below it (path length limit).
  setsid "${sudo_cmd[@]}" dockerd --host "unix://$sock" --data-root "$base/data" \
    --exec-root "$base/x" --pidfile "$base/docker.pid" --storage-driver=overlay2 \
    --iptables=false --ip6tables=false --ip-masq=false --bridge=none \
    --exec-opt native.cgroupdriver=cgroupfs >"$base/dockerd.log" 2>&1 </dev/null &
  deadline=$((SECONDS + 60))
  until docker version >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "docker-up: the engine did not answer on $sock within 60 s; its log:" >&2
      tail -n 30 "$base/dockerd.log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  if [ -n "${sudo_cmd[*]}" ]; then "${sudo_cmd[@]}" chmod 666 "$sock"; fi
fi

if ! docker image inspect "$image" >/dev/null 2>&1; then
  rootfs="$(mktemp -d /tmp/mlops-busybox.XXXXXX)"
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  tar -C "$rootfs" -c . | docker import --change 'ENV PATH=/bin' - "$image" >/dev/null
fi

echo "export DOCKER_HOST=$DOCKER_HOST"
