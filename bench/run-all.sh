#!/usr/bin/env bash
# Runs every benchmark; each writes bench/results/<name>.json and .md. Run `bash scripts/setup.sh` first.
set -euo pipefail
cd "$(dirname "$0")/.."
node build/bench/lightgbm/run.js "$@"
node build/bench/cnn/throughput.js
node build/bench/orchestration/run.js
