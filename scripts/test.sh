#!/usr/bin/env bash
# Sets everything up and runs the whole test suite against a real Temporal dev server and a real MLflow
# server, started on their own ports with fresh state under .local/test and stopped afterwards.
#   scripts/test.sh [jest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# Lint guard first (floating promises; no Node built-ins in workflow code): a failure here costs no server start.
npm run --silent lint

export DML_STATE_DIR=.local/test
export TEMPORAL_PORT=${TEST_TEMPORAL_PORT:-17233}
export TEMPORAL_UI_PORT=${TEST_TEMPORAL_UI_PORT:-18233}
export MLFLOW_PORT=${TEST_MLFLOW_PORT:-15000}
export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
export MLFLOW_TRACKING_URI=http://127.0.0.1:$MLFLOW_PORT
unset TEMPORAL_NAMESPACE DML_DATA_ROOT DML_CPU_QUEUE DML_GPU_QUEUE

bash scripts/stack.sh stop >/dev/null 2>&1 || true
rm -rf "$DML_STATE_DIR"
bash scripts/stack.sh start
trap 'bash scripts/stack.sh stop' EXIT

npx jest --runInBand "$@"
