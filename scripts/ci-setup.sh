#!/usr/bin/env bash
# Idempotent system set-up for the full test run (`npm run test:all`): the packages the
# end-to-end suite needs, the Docker engine, the two-node Slurm test cluster and the
# PostgreSQL cluster of the team-store tests.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

bash "$here/e2e-setup.sh"

if [ -f "$here/docker-up.sh" ]; then
  bash "$here/docker-up.sh"
fi

if [ -f "$here/slurm-up.sh" ]; then
  bash "$here/slurm-up.sh"
fi

if [ -f "$here/pg-up.sh" ]; then
  bash "$here/pg-up.sh" >/dev/null
fi
