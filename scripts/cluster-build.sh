#!/usr/bin/env bash
# Builds the parts of the real Temporal cluster (scripts/cluster.sh) once, pinned, into git-ignored state:
#   .cache/temporal-server-<v>/{temporal-server,temporal-sql-tool}   Go build from the module proxy (~20 min on 2 cores)
#   .cache/temporal-ui-server-<v>/temporal-ui-server                 the Web UI server, same way (~5 min)
#   psycopg2-binary in .venv                                        MLflow's PostgreSQL driver
# Skips every part that is already in place. CI does not run this (scripts/test.sh never needs the Go build).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=versions.sh
source scripts/versions.sh

BIN_DIR=".cache/temporal-server-$TEMPORAL_SERVER_VERSION"
log() { printf '[cluster-build] %s\n' "$*"; }

build_go_tool() { # package path, output name, version, output folder
  local out="$4/$2"
  if [ -x "$out" ]; then log "$2 already built ($out)"; return; fi
  mkdir -p "$4"
  log "building $1@v$3 with $TEMPORAL_SERVER_GOTOOLCHAIN (slow: minutes to tens of minutes on 2 cores)"
  # GOBIN receives the binary under its package's last path element; build into a temp dir, then rename atomically
  # so a half-finished build is never mistaken for a finished one.
  local tmp; tmp=$(mktemp -d "$4/.build.XXXXXX")
  GOTOOLCHAIN=$TEMPORAL_SERVER_GOTOOLCHAIN GOBIN="$(cd "$tmp" && pwd)" GOFLAGS=-mod=mod \
    go install "$1@v$3"
  mv "$tmp/$(basename "$1")" "$out"
  rm -rf "$tmp"
  log "built $out"
}

install_psycopg2() {
  if .venv/bin/python -c "import psycopg2" 2>/dev/null; then log "psycopg2 already installed"; return; fi
  .venv/bin/pip install --quiet "$PSYCOPG2_PIN"
  log "installed $PSYCOPG2_PIN"
}

install_psycopg2
build_go_tool go.temporal.io/server/cmd/server temporal-server "$TEMPORAL_SERVER_VERSION" "$BIN_DIR"
build_go_tool go.temporal.io/server/cmd/tools/sql temporal-sql-tool "$TEMPORAL_SERVER_VERSION" "$BIN_DIR"
build_go_tool github.com/temporalio/ui-server/v2/cmd/server temporal-ui-server "$TEMPORAL_UI_SERVER_VERSION" \
  ".cache/temporal-ui-server-$TEMPORAL_UI_SERVER_VERSION"
