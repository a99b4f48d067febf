#!/usr/bin/env bash
# Runs every benchmark; each writes bench/results/<name>.json and .md. Run `bash scripts/setup.sh` first.
set -euo pipefail
cd "$(dirname "$0")/.."
node build/bench/lightgbm/run.js "$@"
bash bench/setup-torch.sh             # PyTorch CPU reference for the CNN benchmark (.venv-bench, ~5 GB)
node build/bench/cnn/throughput.js
node build/bench/ticks/run.js          # ~2 min: 5M ticks, project vs pandas, nodejs-polars vs apache-arrow
node build/bench/orchestration/run.js
node build/bench/backfill/run.js      # ~7 min on 2 cores: 365 daily Power runs; --days 10 for a quick check
node build/bench/resume/run.js        # ~5 min: 3 kills of the GPU worker mid-epoch
