#!/usr/bin/env bash
# Atelier benchmarks: ours vs scikit-learn / LightGBM on identical data. See bench/README.md.
#   bash bench/run.sh                 # 3 runs of everything, writes docs/benchmarks.md
#   BENCH_RUNS=5 bash bench/run.sh    # more runs
#   BENCH_DATASETS=flights-1m BENCH_MODELS=gbdt bash bench/run.sh   # a subset
#   BENCH_PREPARE=1 bash bench/run.sh # rebuild bench/.data first
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH=bench
VENV="$BENCH/.venv"
DATA="$BENCH/.data"
log() { echo "[bench] $*"; }

# 1. Python peers in a private venv, pinned (bench/requirements.txt).
# shellcheck source=python-venv.sh
source "$BENCH/python-venv.sh"
ensure_venv "$VENV" "$BENCH/requirements.txt"

# 2. Peak memory comes from GNU time; the ours/peer processes report their own as a fallback.
if [[ ! -x /usr/bin/time ]]; then
  if command -v apt-get >/dev/null && [[ $(id -u) -eq 0 ]]; then
    log "installing GNU time (apt-get install time)"
    apt-get install -y -qq time >/dev/null || log "could not install GNU time; using self-reported peak RSS"
  else
    log "/usr/bin/time missing; using self-reported peak RSS (apt-get install time to fix)"
  fi
fi

# 3. Datasets, once: both sides read the same float64 files.
if [[ "${BENCH_PREPARE:-0}" == 1 ]]; then rm -rf "$DATA"; fi
mkdir -p "$DATA"
if [[ ! -f "$DATA/flights-1m/manifest.json" ]]; then
  log "preparing flights-1m (point-in-time features from vega-datasets flights-3m)"
  node -r @swc-node/register "$BENCH/flights.prepare.ts"
fi
if [[ ! -f "$DATA/breast-cancer/manifest.json" ]]; then
  log "preparing breast-cancer (scikit-learn bundled data)"
  "$VENV/bin/python" "$BENCH/peers/prepare_breast_cancer.py"
fi

# 4. Runs and report.
log "runs: ${BENCH_RUNS:-3}"
TZ=UTC node -r @swc-node/register "$BENCH/bench.main.ts"
