#!/usr/bin/env bash
# Serving benchmark: POST /api/predict against a bare floor server, MLflow and itself under load.
# See bench/README.md ("Serving").
#   npm run bench:serving                        # 3 runs of every scenario (~15 min on 2 cores)
#   BENCH_RUNS=1 BENCH_SCENARIOS=a,b BENCH_DURATION=5 npm run bench:serving   # a quick subset
set -euo pipefail
cd "$(dirname "$0")/../.."

SERVING=bench/serving
VENV="$SERVING/.venv"
DATA=bench/.data/serving
DB_NAME=atelier_bench
log() { echo "[bench:serving] $*"; }

# 1. PostgreSQL, Redis, Kafka, the servers' clean-up, and a database of the benchmark's own.
# shellcheck source=../servers.sh
source bench/servers.sh
if ! bench_database_exists; then
  log "creating database $DB_NAME"
  psql -h 127.0.0.1 -U atelier -d postgres -qc "CREATE DATABASE $DB_NAME"
fi
DATABASE_URL="$BENCH_DATABASE_URL" npm run --silent db:migrate

# 2. The MLflow peer in a private venv, pinned ($SERVING/requirements.txt); recreated when that changes.
if [[ ",${BENCH_SCENARIOS:-d}," == *,d,* ]]; then
  # shellcheck source=../python-venv.sh
  source "$(dirname "$SERVING")/python-venv.sh"
  ensure_venv "$VENV" "$SERVING/requirements.txt"
fi

# 3. Platform, seed, floor, MLflow, every scenario BENCH_RUNS times, report.
log "runs: ${BENCH_RUNS:-3}; scenarios: ${BENCH_SCENARIOS:-a,b,c,d,e,g,f}; ${BENCH_DURATION:-15} s per phase"
TZ=UTC node -r @swc-node/register "$SERVING/serving-bench.main.ts"
