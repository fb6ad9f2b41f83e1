#!/usr/bin/env bash
# Starts a real two-node Slurm cluster on this machine for the Slurm executor's tests and
# benchmark: munged, slurmctld and two slurmd (nodes n1 and n2, one CPU each) from Debian's
# slurm-wlm and munge packages. Idempotent: installs the packages only when missing, writes
# /etc/slurm/slurm.conf only when it differs from ours (so plain `sinfo`, `sbatch` and
# `squeue` reach the cluster from any shell), and starts only the daemons that are not
# running. What it started is listed in /tmp/mlops-slurm/started, which
# scripts/slurm-down.sh reads to stop exactly that.
#
#   scripts/slurm-up.sh                   # the cluster, accounting as it was set up last (off at first: sacct says it is disabled)
#   scripts/slurm-up.sh --accounting      # also MariaDB + slurmdbd, so sacct works (the benchmark's snakemake needs it)
#   scripts/slurm-up.sh --no-accounting   # accounting off again
#
# A slurm.conf this script did not write is left alone: if that cluster answers, it is used.
set -euo pipefail

base=/tmp/mlops-slurm
conf=/etc/slurm/slurm.conf
marker='# Written by mlops-workbench scripts/slurm-up.sh'
# Without a flag the cluster keeps the accounting it has: CI's plain call never undoes a
# benchmark's --accounting under it.
accounting=0
if grep -qF "$marker" "$conf" 2>/dev/null && grep -q '^AccountingStorageType=accounting_storage/slurmdbd' "$conf"; then accounting=1; fi
for a in "$@"; do
  case "$a" in
    --accounting) accounting=1 ;;
    --no-accounting) accounting=0 ;;
    *) echo "slurm-up: unknown argument '$a' (--accounting or --no-accounting)" >&2; exit 2 ;;
  esac
done

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
as_root() { "${sudo_cmd[@]}" "$@"; }
apt_install() {
  as_root apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" ||
    { as_root apt-get -o DPkg::Lock::Timeout=600 update && as_root apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"; }
}
# Notes what this run started, once per name, for slurm-down.sh.
started() { grep -qx "$1" "$base/started" 2>/dev/null || echo "$1" | as_root tee -a "$base/started" >/dev/null; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_for() { # wait_for SECONDS WHAT COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "slurm-up: $what did not happen within the deadline; logs in $base/log" >&2
      tail -n 20 "$base"/log/*.log >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
}

if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then
  if sinfo -h >/dev/null 2>&1; then
    echo "slurm-up: $conf was not written by this script and its cluster answers; using it as it is" >&2
    exit 0
  fi
  echo "slurm-up: $conf was not written by this script and its cluster does not answer; move it away to let this script set up a test cluster" >&2
  exit 1
fi

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  apt_install slurm-wlm munge >&2
fi
if [ "$accounting" = 1 ] && { ! command -v slurmdbd >/dev/null 2>&1 || ! command -v mariadbd >/dev/null 2>&1; }; then
  apt_install slurmdbd mariadb-server >&2
fi

as_root mkdir -p "$base/state" "$base/spool" "$base/log" "$base/db"
host="$(hostname -s)"

# --- munge: the key the package made (or a new one), its socket folder, the daemon ---
if [ ! -s /etc/munge/munge.key ]; then
  as_root mkdir -p /etc/munge
  as_root mungekey -c -f -k /etc/munge/munge.key 2>/dev/null || as_root dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  as_root chown munge:munge /etc/munge/munge.key
  as_root chmod 400 /etc/munge/munge.key
fi
as_root mkdir -p /run/munge /var/lib/munge /var/log/munge
as_root chown munge:munge /run/munge /var/lib/munge /var/log/munge
if ! munge -n </dev/null >/dev/null 2>&1; then
  as_root runuser -u munge -- /usr/sbin/munged
  started munged
  wait_for 20 "munged answering" sh -c 'munge -n </dev/null'
fi

# --- accounting (optional): MariaDB on a private loopback port, slurmdbd ---
if [ "$accounting" = 1 ]; then
  db_sock="$base/db/mysqld.sock"
  db_port=16306
  if [ ! -d "$base/db/data/mysql" ]; then
    as_root mkdir -p "$base/db/data"
    as_root chown -R mysql:mysql "$base/db"
    as_root mariadb-install-db --user=mysql --datadir="$base/db/data" --auth-root-authentication-method=socket >"$base/log/mariadb-install.log" 2>&1
  fi
  if ! alive "$base/db/mysqld.pid"; then
    as_root chown -R mysql:mysql "$base/db"
    setsid "${sudo_cmd[@]}" mariadbd --user=mysql --datadir="$base/db/data" --socket="$db_sock" --pid-file="$base/db/mysqld.pid" \
      --bind-address=127.0.0.1 --port="$db_port" --log-error="$base/log/mariadb.log" </dev/null >/dev/null 2>&1 &
    started mariadb
    wait_for 60 "MariaDB answering on $db_sock" as_root mariadb --socket="$db_sock" -e 'SELECT 1'
  fi
  as_root mariadb --socket="$db_sock" -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db; CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'mlops-slurm'; CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'mlops-slurm'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';"
  dbd_conf=/etc/slurm/slurmdbd.conf
  dbd_text="$marker
AuthType=auth/munge
DbdHost=localhost
DbdPort=16819
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$db_port
StorageLoc=slurm_acct_db
StorageUser=slurm
StoragePass=mlops-slurm
PidFile=$base/slurmdbd.pid
LogFile=$base/log/slurmdbd.log"
  if [ "$(cat "$dbd_conf" 2>/dev/null)" != "$dbd_text" ]; then
    printf '%s\n' "$dbd_text" | as_root tee "$dbd_conf" >/dev/null
    as_root chmod 600 "$dbd_conf"
    if alive "$base/slurmdbd.pid"; then as_root kill "$(cat "$base/slurmdbd.pid")"; sleep 1; fi
  fi
  if ! alive "$base/slurmdbd.pid"; then
    as_root slurmdbd
    started slurmdbd
    wait_for 30 "slurmdbd listening" bash -c 'exec 3<>/dev/tcp/127.0.0.1/16819'
  fi
fi

# --- slurm.conf: two nodes of one CPU on this host, each slurmd on its own port ---
if [ "$accounting" = 1 ]; then
  acct="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=16819
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=5"
else
  acct="AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none"
fi
text="$marker
# A two-node test cluster on one machine (nodes n1 and n2 are two slurmd on $host).
# Edit the script, not this file: it is rewritten when it differs.
ClusterName=mlops
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$base/state
SlurmdSpoolDir=$base/spool/%n
SlurmctldPidFile=$base/slurmctld.pid
SlurmdPidFile=$base/slurmd-%n.pid
SlurmctldLogFile=$base/log/slurmctld.log
SlurmdLogFile=$base/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
ReturnToService=2
KillWait=10
$acct
NodeName=n[1-2] NodeHostname=$host NodeAddr=127.0.0.1 Port=17001-17002 CPUs=1 RealMemory=4000 State=UNKNOWN
PartitionName=main Nodes=n[1-2] Default=YES MaxTime=INFINITE State=UP"

restart=0
if [ "$(cat "$conf" 2>/dev/null)" != "$text" ]; then
  as_root mkdir -p /etc/slurm
  printf '%s\n' "$text" | as_root tee "$conf" >/dev/null
  as_root chmod 644 "$conf"
  restart=1
fi

stop_daemon() { # stop_daemon PIDFILE
  if alive "$1"; then
    local pid
    pid="$(cat "$1")"
    as_root kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && as_root kill -KILL "$pid" 2>/dev/null || true
  fi
}
if [ "$restart" = 1 ]; then
  # A changed configuration (first set-up, or accounting switched): daemons restart on it.
  # Jobs and their state survive in StateSaveLocation.
  stop_daemon "$base/slurmctld.pid"
  for n in n1 n2; do stop_daemon "$base/slurmd-$n.pid"; done
fi

if ! alive "$base/slurmctld.pid"; then
  as_root slurmctld
  started slurmctld
fi
for n in n1 n2; do
  if ! alive "$base/slurmd-$n.pid"; then
    as_root mkdir -p "$base/spool/$n"
    as_root slurmd -N "$n"
    started "slurmd-$n"
  fi
done

# Ready when both nodes are up and a job could start on them.
nodes_up() {
  local states
  states="$(sinfo -h -N -o '%N %T' 2>/dev/null)" || return 1
  [ "$(echo "$states" | grep -cE '^n[12] (idle|mixed|allocated|completing)')" = 2 ]
}
wait_for 60 "both nodes (n1, n2) idle in sinfo" nodes_up
if [ "$accounting" = 1 ]; then
  # The cluster and the user must exist in the accounting database for jobs to be accepted.
  sacctmgr -i add cluster mlops >/dev/null 2>&1 || true
  sacctmgr -i add account mlops Cluster=mlops >/dev/null 2>&1 || true
  sacctmgr -i add user "$(id -un)" Account=mlops >/dev/null 2>&1 || true
  wait_for 30 "sacct answering" sacct -n -X --starttime=now-1hour
fi
echo "slurm-up: cluster 'mlops' is up: $(sinfo -h -o '%P %D %T' | tr '\n' ' ')(accounting $([ "$accounting" = 1 ] && echo on || echo off))" >&2
