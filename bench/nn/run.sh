#!/usr/bin/env bash
# Neural network: Atelier's trainNeuralNetwork beside scikit-learn's MLPClassifier, the same
# network, optimiser and epochs on the bench datasets (see bench/README.md, "Neural network").
#   npm run bench:nn                                        # 3 runs (~4 min on a busy 2-core machine)
#   BENCH_RUNS=1 BENCH_DATASETS=breast-cancer npm run bench:nn
#   node -r @swc-node/register bench/nn/nn-bench.main.ts --render bench/results/nn-<time>.json
set -euo pipefail
cd "$(dirname "$0")/../.."

DATA=bench/.data
log() { echo "[bench:nn] $*"; }

# shellcheck source=../python-venv.sh
source bench/python-venv.sh
ensure_venv bench/nn/.venv bench/nn/requirements.txt
[[ -x /usr/bin/time ]] || log "/usr/bin/time missing; using self-reported peak RSS (apt-get install time to fix)"

# The datasets of bench/run.sh, prepared the same way when missing.
if [[ ! -f "$DATA/flights-1m/manifest.json" ]]; then
  log "preparing flights-1m (point-in-time features from vega-datasets flights-3m)"
  node -r @swc-node/register bench/flights.prepare.ts
fi
if [[ ! -f "$DATA/breast-cancer/manifest.json" ]]; then
  log "preparing breast-cancer (scikit-learn bundled data)"
  bench/nn/.venv/bin/python bench/peers/prepare_breast_cancer.py
fi

log "runs: ${BENCH_RUNS:-3}"
TZ=UTC node -r @swc-node/register bench/nn/nn-bench.main.ts
