#!/usr/bin/env bash
# Stops the cluster scripts/pg-up.sh started. Its data stays in /tmp/mlops-postgres for the
# next start; pass --purge to delete it too.
set -euo pipefail

base="${MLOPS_PG_BASE:-/tmp/mlops-postgres}"
data="$base/data"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
as_owner=()
[ "$(id -u)" -eq 0 ] && as_owner=(runuser -u postgres --)

if [ -n "$bin" ] && [ -f "$data/postmaster.pid" ]; then
  "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >&2 || true
fi
if [ "${1:-}" = --purge ]; then rm -rf "$base"; fi
echo "pg-down: stopped"
