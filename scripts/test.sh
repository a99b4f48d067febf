#!/usr/bin/env bash
# Sets everything up and runs the whole test suite against a real Temporal dev server and a real MLflow
# server, started on their own ports with fresh state under .local/test and stopped afterwards.
#   scripts/test.sh [jest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# Lint guard first (floating promises; no Node built-ins in workflow code): a failure here costs no server start.
npm run --silent lint

# The Web UI test (test/integration/temporal-ui.test.ts) drives Debian's headless Chromium.
if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_PATH:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[test] installing chromium (apt-get) for the Temporal Web UI test"
    apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
  else
    echo "[test] chromium is missing: install it (sudo apt-get install -y chromium) or set CHROMIUM_PATH; the Web UI test needs it" >&2
    exit 1
  fi
fi

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
