#!/usr/bin/env bash
# `npm run test:all`: the machine's set-up (scripts/ci-setup.sh: apt packages, code-server,
# Docker engine, Slurm test cluster, PostgreSQL), the unit and process tests, then the
# end-to-end suite. An engine, cluster or database server that this run started is stopped
# again when it ends, passed or failed; one that already answered is left running for
# whoever started it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."

engine_was_up=0
if command -v docker >/dev/null 2>&1 &&
  DOCKER_HOST=unix:///tmp/mlops-docker/docker.sock docker version >/dev/null 2>&1; then
  engine_was_up=1
fi
cluster_was_up=0
if command -v sinfo >/dev/null 2>&1 && sinfo -h >/dev/null 2>&1; then cluster_was_up=1; fi
pg_was_up=0
pg_isready_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/pg_isready"
if [ -x "$pg_isready_bin" ] && "$pg_isready_bin" -q -h 127.0.0.1 -p "${MLOPS_PG_PORT:-55432}"; then
  pg_was_up=1
fi
stop_services() {
  local status=$?
  if [ "$engine_was_up" = 0 ]; then bash "$here/docker-down.sh" >&2 || true; fi
  if [ "$cluster_was_up" = 0 ]; then bash "$here/slurm-down.sh" >&2 || true; fi
  if [ "$pg_was_up" = 0 ]; then bash "$here/pg-down.sh" >&2 || true; fi
  exit "$status"
}
trap stop_services EXIT

bash "$here/ci-setup.sh"
npm test
npm run test:e2e
