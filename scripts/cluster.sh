#!/usr/bin/env bash
# A real Temporal cluster on this machine, without Docker: the production layout of docker-compose.yml with the same
# settings (config/cluster.env) and parts built from the registries (scripts/cluster-build.sh):
#
#   PostgreSQL 15 (project-local, 127.0.0.1:$CLUSTER_PG_PORT)   databases temporal, temporal_visibility, mlflow
#   temporal-server v1.32.2 (frontend, history, matching, worker) on PostgreSQL, frontend 127.0.0.1:$CLUSTER_TEMPORAL_PORT
#   Temporal Web UI server v$TEMPORAL_UI_SERVER_VERSION, http://127.0.0.1:$CLUSTER_UI_PORT
#   MLflow on PostgreSQL with artifact proxying, 127.0.0.1:$CLUSTER_MLFLOW_PORT
#   $DML_CPU_WORKERS CPU + $DML_GPU_WORKERS GPU-queue worker processes (node build/src/workers/{cpu,gpu}.js)
#
#   scripts/cluster.sh build | start [all|postgres|temporal|ui|mlflow|workers] | stop [same] | status | env
#   scripts/cluster.sh restart-temporal | kill-worker cpu|gpu N | start-worker cpu|gpu N
#
# State (data, logs, pids) lives under $CLUSTER_STATE (default .local/cluster, git-ignored). `env` prints the
# TEMPORAL_ADDRESS / MLFLOW_TRACKING_URI to export for the CLI and the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=versions.sh
source scripts/versions.sh

# Settings shared with docker-compose.yml; values already in the environment win.
while IFS='=' read -r key value; do
  [[ $key =~ ^[A-Z][A-Z0-9_]*$ ]] || continue
  value=${value#\"}; value=${value%\"}
  [ -n "${!key+x}" ] || export "$key=$value"
done <config/cluster.env

CLUSTER_STATE=$(mkdir -p "${CLUSTER_STATE:-.local/cluster}" && cd "${CLUSTER_STATE:-.local/cluster}" && pwd)
export CLUSTER_PG_PORT=${CLUSTER_PG_PORT:-25432}
export CLUSTER_TEMPORAL_PORT=${CLUSTER_TEMPORAL_PORT:-27233}
# Internal ports of the other services: frontend + 1..n, as in the upstream sample config.
export CLUSTER_HISTORY_PORT=$((CLUSTER_TEMPORAL_PORT + 1)) CLUSTER_MATCHING_PORT=$((CLUSTER_TEMPORAL_PORT + 2))
export CLUSTER_WORKER_PORT=$((CLUSTER_TEMPORAL_PORT + 6)) CLUSTER_FRONTEND_HTTP_PORT=$((CLUSTER_TEMPORAL_PORT + 10))
export CLUSTER_FRONTEND_MEMBERSHIP_PORT=$((CLUSTER_TEMPORAL_PORT + 20)) CLUSTER_HISTORY_MEMBERSHIP_PORT=$((CLUSTER_TEMPORAL_PORT + 21))
export CLUSTER_MATCHING_MEMBERSHIP_PORT=$((CLUSTER_TEMPORAL_PORT + 22)) CLUSTER_WORKER_MEMBERSHIP_PORT=$((CLUSTER_TEMPORAL_PORT + 26))
export CLUSTER_METRICS_PORT=$((CLUSTER_TEMPORAL_PORT + 30))
export CLUSTER_DYNAMIC_CONFIG=$ROOT/config/temporal-cluster-dynamic.yaml
CLUSTER_MLFLOW_PORT=${CLUSTER_MLFLOW_PORT:-25000}
export CLUSTER_UI_PORT=${CLUSTER_UI_PORT:-28233}
DML_CPU_WORKERS=${DML_CPU_WORKERS:-2}
DML_GPU_WORKERS=${DML_GPU_WORKERS:-2}
# One data root for all workers by default (one machine); DML_CLUSTER_SEPARATE_DATA=1 gives each worker its own, as
# on separate machines, where checkpoints reach the other workers only through the MLflow artifact store.
CLUSTER_DATA_ROOT=${CLUSTER_DATA_ROOT:-$CLUSTER_STATE/data}

BIN_DIR="$ROOT/.cache/temporal-server-$TEMPORAL_SERVER_VERSION"
PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
PGDATA=$CLUSTER_STATE/pg
PIDS=$CLUSTER_STATE/pids
LOGS=$CLUSTER_STATE/logs
mkdir -p "$PIDS" "$LOGS" "$CLUSTER_STATE/mlflow/artifacts"
TEMPORAL_ADDR=127.0.0.1:$CLUSTER_TEMPORAL_PORT
MLFLOW_URI=http://127.0.0.1:$CLUSTER_MLFLOW_PORT

log() { printf '[cluster] %s\n' "$*"; }
die() { log "$*"; exit 1; }

# shellcheck source=pidfiles.sh
source scripts/pidfiles.sh

wait_until() { # description, seconds, command... (gives up early when the process of that name has died)
  local what=$1 seconds=$2; shift 2
  for _ in $(seq 1 $((seconds * 2))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ -f "$PIDS/$what.pid" ] && ! running "$what"; then die "$what exited; see $LOGS/$what.log"; fi
    sleep 0.5
  done
  die "$what did not answer within ${seconds}s; see $LOGS"
}

# --- PostgreSQL ---------------------------------------------------------------------------------------------------
# postgres refuses to run as root: as root, the cluster belongs to the Debian `postgres` user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_admin() { admin_password; PGPASSWORD=$CLUSTER_PG_ADMIN_PASSWORD "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$CLUSTER_PG_PORT" -U dml_admin "$@"; }
# Admin password: generated once, kept next to the data (mode 600), never committed.
admin_password() {
  local f=$CLUSTER_STATE/pg-admin.password
  [ -s "$f" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$f")
  CLUSTER_PG_ADMIN_PASSWORD=$(cat "$f")
}

start_postgres() {
  admin_password
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    log "initdb $PGDATA (PostgreSQL $PG_VERSION)"
    mkdir -p "$PGDATA"
    local pwfile; pwfile=$(mktemp); printf '%s\n' "$CLUSTER_PG_ADMIN_PASSWORD" >"$pwfile"
    if [ "$(id -u)" = 0 ]; then chown postgres "$PGDATA" "$pwfile"; fi
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U dml_admin --pwfile="$pwfile" --auth-host=scram-sha-256 --auth-local=reject \
      --encoding=UTF8 --locale=C.UTF-8 >"$LOGS/initdb.log" 2>&1 || { rm -f "$pwfile"; die "initdb failed; see $LOGS/initdb.log"; }
    rm -f "$pwfile"
  fi
  if as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    log "postgres already running"
  else
    # TCP on 127.0.0.1 only; no Unix socket (it would default to /var/run/postgresql, shared with the system's).
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $CLUSTER_PG_PORT -c unix_socket_directories='' -c max_connections=200" start >/dev/null
    log "postgres up on 127.0.0.1:$CLUSTER_PG_PORT"
  fi
  ensure_role "$TEMPORAL_DB_USER" "$TEMPORAL_DB_PASSWORD"
  ensure_role "$MLFLOW_DB_USER" "$MLFLOW_DB_PASSWORD"
  ensure_db "$MLFLOW_DB_NAME" "$MLFLOW_DB_USER"
}

ensure_role() { # name, password (set every start, so a changed password in the environment takes effect)
  pg_admin -d postgres -v name="$1" -v pw="$2" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'name') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'name', :'pw') \gexec
SQL
}

ensure_db() { # name, owner
  pg_admin -d postgres -v name="$1" -v owner="$2" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'owner') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'name') \gexec
SQL
}

stop_postgres() {
  if [ -s "$PGDATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    log "postgres stopped"
  fi
}

# --- Temporal -----------------------------------------------------------------------------------------------------
schema_dir() {
  local dir; dir="$(GOTOOLCHAIN=$TEMPORAL_SERVER_GOTOOLCHAIN go env GOMODCACHE)/go.temporal.io/server@v$TEMPORAL_SERVER_VERSION/schema/postgresql/v12"
  [ -d "$dir" ] || die "schema folder $dir missing: run scripts/cluster.sh build"
  printf '%s' "$dir"
}

# Creates both databases and brings their schemas to the module's version (idempotent: update-schema applies only
# the versioned steps not yet recorded in the database).
setup_schema() {
  local schemas; schemas=$(schema_dir)
  local sql=(env SQL_PASSWORD="$TEMPORAL_DB_PASSWORD" "$BIN_DIR/temporal-sql-tool" --plugin postgres12 --ep 127.0.0.1 -p "$CLUSTER_PG_PORT" -u "$TEMPORAL_DB_USER")
  for pair in "$TEMPORAL_DB_NAME:temporal" "$TEMPORAL_VISIBILITY_DB_NAME:visibility"; do
    local db=${pair%%:*} kind=${pair#*:}
    ensure_db "$db" "$TEMPORAL_DB_USER"
    # setup-schema -v 0.0 only creates the version table; it fails harmlessly when that is there already.
    "${sql[@]}" --db "$db" setup-schema -v 0.0 >>"$LOGS/schema.log" 2>&1 || true
    "${sql[@]}" --db "$db" update-schema -d "$schemas/$kind/versioned" >>"$LOGS/schema.log" 2>&1 \
      || die "schema update of $db failed; see $LOGS/schema.log"
  done
  log "schemas of $TEMPORAL_DB_NAME and $TEMPORAL_VISIBILITY_DB_NAME up to date"
}

temporal_healthy() { .venv/bin/temporal operator cluster health --address "$TEMPORAL_ADDR" | grep -q SERVING; }

start_temporal_server() {
  if running temporal; then log "temporal already running (pid $(cat "$PIDS/temporal.pid"))"; return; fi
  [ -x "$BIN_DIR/temporal-server" ] || die "$BIN_DIR/temporal-server missing: run scripts/cluster.sh build"
  envsubst <config/temporal-cluster.yaml >"$CLUSTER_STATE/temporal.yaml"
  chmod 600 "$CLUSTER_STATE/temporal.yaml" # holds the database password
  setsid nohup "$BIN_DIR/temporal-server" --config-file "$CLUSTER_STATE/temporal.yaml" --allow-no-auth start \
    >>"$LOGS/temporal.log" 2>&1 &
  echo $! >"$PIDS/temporal.pid"
  wait_until "temporal" 120 temporal_healthy
  log "temporal up on $TEMPORAL_ADDR"
}

register_namespace_and_attributes() {
  local t=(.venv/bin/temporal operator --address "$TEMPORAL_ADDR")
  # The server's worker service creates the system namespace; user namespaces are ours to register.
  if ! "${t[@]}" namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
    "${t[@]}" namespace create --namespace "$TEMPORAL_NAMESPACE" --retention 72h >/dev/null
    log "namespace $TEMPORAL_NAMESPACE registered"
  fi
  # A new namespace reaches the frontend's namespace cache within its refresh interval (~10s).
  wait_until "namespace $TEMPORAL_NAMESPACE" 60 "${t[@]}" search-attribute list --namespace "$TEMPORAL_NAMESPACE"
  local existing; existing=$("${t[@]}" search-attribute list --namespace "$TEMPORAL_NAMESPACE")
  for name in $DML_SEARCH_ATTRIBUTES; do
    grep -qw "$name" <<<"$existing" && continue
    "${t[@]}" search-attribute create --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type Keyword >/dev/null
    log "search attribute $name registered"
  done
}

start_temporal() { setup_schema; start_temporal_server; register_namespace_and_attributes; }

# --- Temporal Web UI ----------------------------------------------------------------------------------------------
UI_BIN="$ROOT/.cache/temporal-ui-server-$TEMPORAL_UI_SERVER_VERSION/temporal-ui-server"
ui_healthy() { .venv/bin/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$CLUSTER_UI_PORT/', timeout=2)"; }

start_ui() {
  if running ui; then log "ui already running (pid $(cat "$PIDS/ui.pid"))"; return; fi
  [ -x "$UI_BIN" ] || die "$UI_BIN missing: run scripts/cluster.sh build"
  # The UI server reads <config dir>/<env>.yaml; ours is rendered into the state folder.
  mkdir -p "$CLUSTER_STATE/ui"
  envsubst <config/temporal-ui.yaml >"$CLUSTER_STATE/ui/cluster.yaml"
  setsid nohup "$UI_BIN" --root "$CLUSTER_STATE" --config ui --env cluster start >>"$LOGS/ui.log" 2>&1 &
  echo $! >"$PIDS/ui.pid"
  wait_until "ui" 60 ui_healthy
  log "ui up on http://127.0.0.1:$CLUSTER_UI_PORT"
}

# --- MLflow -------------------------------------------------------------------------------------------------------
mlflow_healthy() { .venv/bin/python -c "import urllib.request as u; u.urlopen('$MLFLOW_URI/health', timeout=2)"; }

# +psycopg2: SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3, which is not installed.
mlflow_store_uri() { printf 'postgresql+psycopg2://%s:%s@127.0.0.1:%s/%s' "$MLFLOW_DB_USER" "$MLFLOW_DB_PASSWORD" "$CLUSTER_PG_PORT" "$MLFLOW_DB_NAME"; }

start_mlflow() {
  if running mlflow; then log "mlflow already running (pid $(cat "$PIDS/mlflow.pid"))"; return; fi
  .venv/bin/python -c "import psycopg2" 2>/dev/null || die "psycopg2 missing: run scripts/cluster.sh build"
  setsid nohup .venv/bin/mlflow server --host 127.0.0.1 --port "$CLUSTER_MLFLOW_PORT" --workers 2 \
    --backend-store-uri "$(mlflow_store_uri)" \
    --serve-artifacts --artifacts-destination "$CLUSTER_STATE/mlflow/artifacts" \
    >>"$LOGS/mlflow.log" 2>&1 &
  echo $! >"$PIDS/mlflow.pid"
  wait_until "mlflow" 180 mlflow_healthy
  log "mlflow up on $MLFLOW_URI"
}

# --- Workers ------------------------------------------------------------------------------------------------------
worker_data_root() { # role, index
  if [ "${DML_CLUSTER_SEPARATE_DATA:-0}" = 1 ]; then printf '%s' "$CLUSTER_STATE/data-$1-$2"; else printf '%s' "$CLUSTER_DATA_ROOT"; fi
}

start_worker() { # role, index
  local name="worker-$1-$2"
  if running "$name"; then return; fi
  [ -f build/src/workers/"$1".js ] || die "build/src/workers/$1.js missing: run npx tsc -p tsconfig.json"
  local data; data=$(worker_data_root "$1" "$2"); mkdir -p "$data"
  # The same variables docker-compose.yml gives worker-cpu / worker-gpu.
  TEMPORAL_ADDRESS=$TEMPORAL_ADDR TEMPORAL_NAMESPACE=$TEMPORAL_NAMESPACE MLFLOW_TRACKING_URI=$MLFLOW_URI \
    DML_CPU_QUEUE=$DML_CPU_QUEUE DML_GPU_QUEUE=$DML_GPU_QUEUE DML_DATA_ROOT=$data \
    DML_DATA_ROOT_SHARED=$([ "${DML_CLUSTER_SEPARATE_DATA:-0}" = 1 ] && echo 0 || echo 1) \
    setsid nohup node "build/src/workers/$1.js" >>"$LOGS/$name.log" 2>&1 &
  echo $! >"$PIDS/$name.pid"
  log "$name started (pid $!, data root $data)"
}

start_workers() {
  for i in $(seq 1 "$DML_CPU_WORKERS"); do start_worker cpu "$i"; done
  for i in $(seq 1 "$DML_GPU_WORKERS"); do start_worker gpu "$i"; done
}

stop_workers() {
  for f in "$PIDS"/worker-*.pid; do [ -e "$f" ] && stop_pid "$(basename "$f" .pid)"; done
  return 0
}

# Kill -9 without cleanup: what a crashed machine looks like to Temporal (activities time out, then retry elsewhere).
kill_worker() { # role, index
  local name="worker-$1-$2"
  running "$name" || die "$name is not running"
  kill -KILL -- "-$(cat "$PIDS/$name.pid")"
  rm -f "$PIDS/$name.pid"
  log "$name killed (SIGKILL)"
}

env_lines() {
  echo "export TEMPORAL_ADDRESS=$TEMPORAL_ADDR TEMPORAL_NAMESPACE=$TEMPORAL_NAMESPACE MLFLOW_TRACKING_URI=$MLFLOW_URI TEMPORAL_UI_PORT=$CLUSTER_UI_PORT"
}

status() {
  if [ -s "$PGDATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    echo "postgres: running (127.0.0.1:$CLUSTER_PG_PORT)"
  else echo "postgres: stopped"; fi
  for name in temporal ui mlflow; do
    if running $name; then echo "$name: running (pid $(cat "$PIDS/$name.pid"))"; else echo "$name: stopped"; fi
  done
  for f in "$PIDS"/worker-*.pid; do
    [ -e "$f" ] || continue
    local name; name=$(basename "$f" .pid)
    if running "$name"; then echo "$name: running (pid $(cat "$f"))"; else echo "$name: dead"; fi
  done
}

case "${1:-}" in
  build) exec bash scripts/cluster-build.sh ;;
  start)
    case "${2:-all}" in
      postgres) start_postgres ;;
      temporal) start_temporal ;;
      ui) start_ui ;;
      mlflow) start_mlflow ;;
      workers) start_workers ;;
      all) start_postgres; start_temporal; start_ui; start_mlflow; start_workers; env_lines ;;
      *) die "unknown part '$2' (postgres, temporal, ui, mlflow, workers or all)" ;;
    esac
    ;;
  stop)
    case "${2:-all}" in
      postgres) stop_postgres ;;
      temporal) stop_pid temporal ;;
      ui) stop_pid ui ;;
      mlflow) stop_pid mlflow ;;
      workers) stop_workers ;;
      all) stop_workers; stop_pid mlflow; stop_pid ui; stop_pid temporal; stop_postgres ;;
      *) die "unknown part '$2' (postgres, temporal, ui, mlflow, workers or all)" ;;
    esac
    ;;
  restart-temporal) stop_pid temporal; start_temporal_server ;;
  kill-worker) kill_worker "${2:?role}" "${3:?index}" ;;
  start-worker) start_worker "${2:?role}" "${3:?index}" ;;
  status) status ;;
  env) env_lines ;;
  *) echo "usage: $0 build | start|stop [all|postgres|temporal|ui|mlflow|workers] | status | env | restart-temporal | kill-worker|start-worker cpu|gpu N" >&2; exit 2 ;;
esac
