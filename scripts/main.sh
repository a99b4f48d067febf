#!/usr/bin/env bash
# Sets everything up and runs the main job: the local stack, the workers (dev mode, both queues in one
# process), all four pipelines on small synthetic data, then a summary of runs, metrics and model versions.
# The stack stays up afterwards so the runs can be browsed in the Temporal and MLflow UIs
# (stop it with: scripts/stack.sh stop).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/stack.sh start

mkdir -p .local/logs
# One process, one data root: prepared data and checkpoints need no copies in MLflow's artifact store.
DML_DATA_ROOT_SHARED=1 node build/src/workers/dev.js >.local/logs/workers.log 2>&1 &
workers=$!
trap 'kill -TERM $workers 2>/dev/null; wait $workers 2>/dev/null || true' EXIT

node build/src/cli/main-job.js "$@"
echo
bash scripts/stack.sh urls
echo "Worker log: .local/logs/workers.log"
