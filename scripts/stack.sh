#!/usr/bin/env bash
# Starts / stops the local stack: Temporal dev server (SQLite, Web UI) and MLflow tracking server
# (SQLite backend store, artifact proxying). Both bind to 127.0.0.1 only; state lives under $DML_STATE_DIR.
#
#   scripts/stack.sh start | stop [temporal|mlflow] | status | urls
#
# Environment (defaults):
#   TEMPORAL_PORT=7233  TEMPORAL_UI_PORT=$((TEMPORAL_PORT+1000))  TEMPORAL_NAMESPACE=default
#   MLFLOW_PORT=5000    MLFLOW_WORKERS=2    DML_STATE_DIR=.local
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

TEMPORAL_PORT=${TEMPORAL_PORT:-7233}
TEMPORAL_UI_PORT=${TEMPORAL_UI_PORT:-$((TEMPORAL_PORT + 1000))}
TEMPORAL_NAMESPACE=${TEMPORAL_NAMESPACE:-default}
MLFLOW_PORT=${MLFLOW_PORT:-5000}
# Server processes of MLflow: each runs Python on one core at most, and with one, a backfill waits on MLflow
# (bench/backfill: 1.34x the runs per minute with 2). SQLite in WAL mode serves them both.
MLFLOW_WORKERS=${MLFLOW_WORKERS:-2}
STATE=$(mkdir -p "${DML_STATE_DIR:-.local}" && cd "${DML_STATE_DIR:-.local}" && pwd)
PIDS="$STATE/pids"
LOGS="$STATE/logs"
mkdir -p "$PIDS" "$LOGS" "$STATE/temporal" "$STATE/mlflow/artifacts"

# Search attributes the workflows upsert (see src/workflows/shared/search-attributes.ts).
SEARCH_ATTRIBUTES=(DmlPipeline=Keyword DmlDataset=Keyword DmlMlflowRunId=Keyword DmlModelVersion=Keyword DmlPartition=Keyword)

log() { printf '[stack] %s\n' "$*"; }

# shellcheck source=pidfiles.sh
source scripts/pidfiles.sh

wait_until() { # description, seconds, command...
  local what=$1 seconds=$2; shift 2
  for _ in $(seq 1 $((seconds * 2))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  log "$what did not answer within ${seconds}s; see $LOGS"
  return 1
}

temporal_healthy() {
  .venv/bin/temporal operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" | grep -q SERVING
}
mlflow_healthy() {
  .venv/bin/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$MLFLOW_PORT/health', timeout=2)"
}

start_temporal() {
  if running temporal; then log "temporal already running (pid $(cat "$PIDS/temporal.pid"))"; return; fi
  local sa_args=()
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do sa_args+=(--search-attribute "$sa"); done
  ns_args=()
  [ "$TEMPORAL_NAMESPACE" != default ] && ns_args=(--namespace "$TEMPORAL_NAMESPACE")
  # WAL + synchronous=normal: commits no longer sync the database file, which made every transition ~2x slower on
  # this file-backed store (bench/results/orchestration.md); eager dispatch as a production cluster would enable it.
  # The history service reads its transfer queue (new workflow and activity tasks for matching) at most
  # transferProcessorMaxPollRPS times a second per shard, default 20: with the dev server's one shard, every workflow
  # task after an activity waited ~30 ms for that read, half of each stage transition. bench/orchestration/dev-server.ts
  # measures the same flags; test/unit/dynamic-config.test.ts keeps the two in step.
  setsid nohup .venv/bin/temporal server start-dev \
    --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" \
    --db-filename "$STATE/temporal/temporal.db" --log-level warn \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
    --dynamic-config-value system.enableActivityEagerExecution=true \
    --dynamic-config-value system.enableEagerWorkflowStart=true \
    --dynamic-config-value history.transferProcessorMaxPollRPS=1000 \
    "${ns_args[@]}" "${sa_args[@]}" \
    >"$LOGS/temporal.log" 2>&1 &
  echo $! >"$PIDS/temporal.pid"
  wait_until "temporal" 60 temporal_healthy
  log "temporal up on 127.0.0.1:$TEMPORAL_PORT"
}

start_mlflow() {
  if running mlflow; then log "mlflow already running (pid $(cat "$PIDS/mlflow.pid"))"; return; fi
  # WAL journal (a setting stored in the database file, so set once before MLflow opens it): readers no longer wait
  # for a writer, which matters when many runs log at once (a backfill).
  .venv/bin/python -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("pragma journal_mode=wal").close()' "$STATE/mlflow/mlflow.db"
  setsid nohup .venv/bin/mlflow server \
    --host 127.0.0.1 --port "$MLFLOW_PORT" --workers "$MLFLOW_WORKERS" \
    --backend-store-uri "sqlite:///$STATE/mlflow/mlflow.db" \
    --serve-artifacts --artifacts-destination "$STATE/mlflow/artifacts" \
    >"$LOGS/mlflow.log" 2>&1 &
  echo $! >"$PIDS/mlflow.pid"
  wait_until "mlflow" 120 mlflow_healthy
  log "mlflow up on 127.0.0.1:$MLFLOW_PORT"
}

stop_one() { stop_pid "$1"; }

urls() {
  echo "Temporal gRPC: 127.0.0.1:$TEMPORAL_PORT (namespace $TEMPORAL_NAMESPACE)"
  echo "Temporal UI:   http://127.0.0.1:$TEMPORAL_UI_PORT/namespaces/$TEMPORAL_NAMESPACE/workflows"
  echo "MLflow UI:     http://127.0.0.1:$MLFLOW_PORT"
}

case "${1:-}" in
  start)
    [ -x .venv/bin/temporal ] || { log "run scripts/setup.sh first"; exit 1; }
    case "${2:-all}" in
      temporal) start_temporal ;;
      mlflow) start_mlflow ;;
      all) start_temporal; start_mlflow; urls ;;
      *) echo "unknown service '$2' (temporal or mlflow)" >&2; exit 2 ;;
    esac
    ;;
  stop)
    case "${2:-all}" in
      temporal) stop_one temporal ;;
      mlflow) stop_one mlflow ;;
      all) stop_one mlflow; stop_one temporal ;;
      *) echo "unknown service '$2' (temporal or mlflow)" >&2; exit 2 ;;
    esac
    ;;
  status)
    for s in temporal mlflow; do
      if running $s; then echo "$s: running (pid $(cat "$PIDS/$s.pid"))"; else echo "$s: stopped"; fi
    done
    ;;
  urls) urls ;;
  *) echo "usage: $0 start|stop [temporal|mlflow] | status | urls" >&2; exit 2 ;;
esac
