#!/usr/bin/env bash
# Idempotent system set-up for the full test run (`npm run test:all`): the packages the
# end-to-end suite needs, the Docker engine and the two-node Slurm test cluster.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

bash "$here/e2e-setup.sh"

if [ -f "$here/docker-up.sh" ]; then
  bash "$here/docker-up.sh"
fi

if [ -f "$here/slurm-up.sh" ]; then
  bash "$here/slurm-up.sh"
fi
