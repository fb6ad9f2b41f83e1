#!/usr/bin/env bash
# Stops the engine scripts/docker-up.sh started. Its images stay in /tmp/mlops-docker/data
# for the next start; pass --purge to delete them too.
set -euo pipefail

base=/tmp/mlops-docker
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)

if [ -f "$base/docker.pid" ]; then
  pid="$(cat "$base/docker.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    "${sudo_cmd[@]}" kill -TERM "$pid"
    deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "docker-down: dockerd ($pid) did not stop within 30 s; killing it" >&2
        "${sudo_cmd[@]}" kill -KILL "$pid" || true
        break
      fi
      sleep 0.2
    done
  fi
fi
if mountpoint -q "$base/x/netns/default" 2>/dev/null; then "${sudo_cmd[@]}" umount "$base/x/netns/default"; fi
if [ "${1:-}" = --purge ]; then "${sudo_cmd[@]}" rm -rf "$base"; fi
echo "docker-down: stopped"
