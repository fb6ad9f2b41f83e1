#!/usr/bin/env bash
# Stops what scripts/slurm-up.sh started (listed in /tmp/mlops-slurm/started) and nothing
# else: a daemon that was already running when slurm-up.sh ran is left alone. Jobs still on
# the test cluster are cancelled first, so no job process outlives its slurmd. The cluster's
# state and /etc/slurm/slurm.conf stay for the next start; --purge removes them too.
set -euo pipefail

base=/tmp/mlops-slurm
marker='# Written by mlops-workbench scripts/slurm-up.sh'
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
as_root() { "${sudo_cmd[@]}" "$@"; }

list="$base/started"
has() { grep -qx "$1" "$list" 2>/dev/null; }

stop_pidfile() { # stop_pidfile NAME PIDFILE
  [ -f "$2" ] || return 0
  local pid
  pid="$(cat "$2")"
  kill -0 "$pid" 2>/dev/null || return 0
  as_root kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "slurm-down: $1 ($pid) did not stop within 30 s; killing it" >&2
      as_root kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
}

if has slurmctld && grep -qF "$marker" /etc/slurm/slurm.conf 2>/dev/null; then
  # Our cluster: its jobs go with it.
  if scancel --full --user="$(id -un)" 2>/dev/null; then
    deadline=$((SECONDS + 30))
    while [ -n "$(squeue -h -o %i 2>/dev/null)" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
  fi
fi
for n in n1 n2; do has "slurmd-$n" && stop_pidfile "slurmd $n" "$base/slurmd-$n.pid"; done
has slurmctld && stop_pidfile slurmctld "$base/slurmctld.pid"
has slurmdbd && stop_pidfile slurmdbd "$base/slurmdbd.pid"
has mariadb && stop_pidfile mariadb "$base/db/mysqld.pid"
has munged && stop_pidfile munged /run/munge/munged.pid
as_root rm -f "$list"

if [ "${1:-}" = --purge ]; then
  if grep -qF "$marker" /etc/slurm/slurm.conf 2>/dev/null; then as_root rm -f /etc/slurm/slurm.conf; fi
  if grep -qF "$marker" /etc/slurm/slurmdbd.conf 2>/dev/null; then as_root rm -f /etc/slurm/slurmdbd.conf; fi
  as_root rm -rf "$base"
fi
echo "slurm-down: stopped" >&2
