#!/usr/bin/env bash
# Installs PyTorch (CPU use only) into .venv-bench/, a project-local, git-ignored virtual environment kept apart
# from .venv so that the application's environment (MLflow, LightGBM) never carries torch and its ~5 GB of
# dependencies. Only bench/cnn/throughput.ts uses it, as the reference side of the CNN throughput benchmark.
#
#   bash bench/setup-torch.sh        # idempotent: does nothing when the pinned torch is already installed
#
# PyPI has no CPU-only torch wheel for Linux x86_64 (the "+cpu" builds live only on PyTorch's own package index,
# which is not reachable from the project's machines), so this installs the PyPI wheel, a CUDA build, with the
# CUDA runtime packages it requires. The benchmark runs it on the CPU; there is no GPU here.
set -euo pipefail
cd "$(dirname "$0")/.."

# 2.15.0: the newest torch release on PyPI when this benchmark was written, with a cp311 manylinux x86_64 wheel
# (the project's Python is 3.11). Its dependencies are pinned in bench/torch-constraints.txt.
TORCH_VERSION=2.15.0
VENV=.venv-bench

log() { printf '[setup-torch] %s\n' "$*"; }

installed_torch() {
  # The PyPI wheel reports a plain version ("2.15.0"); builds from other indexes add a local part ("+cpu").
  "$VENV/bin/python" -c 'import torch; print(torch.__version__.split("+")[0])' 2>/dev/null || true
}

if [ -x "$VENV/bin/python" ] && [ "$(installed_torch)" = "$TORCH_VERSION" ]; then
  log "$VENV already has torch $TORCH_VERSION"
  exit 0
fi

[ -x "$VENV/bin/python" ] || { log "creating $VENV"; "${PYTHON:-python3}" -m venv "$VENV"; }
log "installing torch==$TORCH_VERSION into $VENV (several GB with the CUDA runtime packages)"
start=$(date +%s)
"$VENV/bin/pip" install --quiet --disable-pip-version-check "torch==$TORCH_VERSION" -c bench/torch-constraints.txt
log "installed torch $(installed_torch) in $(( $(date +%s) - start )) s; $VENV is $(du -sh "$VENV" | cut -f1)"
