#!/usr/bin/env bash
# Starts a private PostgreSQL cluster for the team-store tests and creates their database.
# Idempotent: installs Debian's postgresql only when its programs are missing, creates the
# cluster only once, starts it only when nothing answers on its port, creates the database
# only when absent. The cluster listens on 127.0.0.1 (and a socket in its folder) with trust
# authentication — for tests on this machine only — and runs as the postgres user when
# started by root (PostgreSQL refuses to run as root).
# Prints the URL to export; tests also find the cluster at its fixed port.
#
#   eval "$(scripts/pg-up.sh)"     # then: export MLOPS_TEST_PG_URL=postgresql://postgres@127.0.0.1:55432/mlops_test
set -euo pipefail

base="${MLOPS_PG_BASE:-/tmp/mlops-postgres}"
port="${MLOPS_PG_PORT:-55432}"
db=mlops_test
data="$base/data"

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd=(sudo)
apt_install() {
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" ||
    { "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update && "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"; }
}
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin="$(find_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || ! command -v psql >/dev/null 2>&1; then
  apt_install postgresql postgresql-client >&2
  bin="$(find_bin)"
fi
[ -x "$bin/initdb" ] || { echo "pg-up: no initdb under /usr/lib/postgresql after installing postgresql" >&2; exit 1; }

# Run the server's programs as postgres when we are root; as ourselves otherwise.
as_owner=()
owner="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  as_owner=(runuser -u postgres --)
  owner=postgres
fi

ready() { "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; }

if ! ready; then
  mkdir -p "$base"
  chown "$owner" "$base" 2>/dev/null || true
  chmod 700 "$base"
  if [ ! -f "$data/PG_VERSION" ]; then
    "${as_owner[@]}" "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --no-sync >"$base/initdb.log" 2>&1 ||
      { echo "pg-up: initdb failed; its output:" >&2; cat "$base/initdb.log" >&2; exit 1; }
  fi
  # -w waits until the server accepts connections.
  if ! "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$base/postgres.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $base -c fsync=on" start >&2; then
    echo "pg-up: the server did not start on 127.0.0.1:$port; its log:" >&2
    tail -n 30 "$base/postgres.log" >&2 || true
    exit 1
  fi
fi

psql_admin() { psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
  psql_admin -c "CREATE DATABASE $db" >&2 || true
fi

echo "export MLOPS_TEST_PG_URL=postgresql://postgres@127.0.0.1:$port/$db"
