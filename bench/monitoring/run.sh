#!/usr/bin/env bash
# Monitoring benchmarks (see bench/README.md, "Monitoring"):
# - ingestion: prediction events produced onto Kafka at a fixed rate, consumed and stored by the
#   monitoring service; consumer lag measured as time;
# - drift: 100 inputs over 100,000 predictions against Evidently's drift report (PyPI, pinned in
#   bench/monitoring/requirements.txt) on the same data.
#   npm run bench:monitoring                                   # both, 3 runs each (~8 min)
#   BENCH_PARTS=drift BENCH_RUNS=1 npm run bench:monitoring    # one part, one run
#   BENCH_RUNS=1 BENCH_RATE=5000 BENCH_DURATION=10 BENCH_PARTS=ingest npm run bench:monitoring
set -euo pipefail
cd "$(dirname "$0")/../.."

DATA=bench/.data/monitoring
DB_NAME=atelier_bench_monitoring
log() { echo "[bench:monitoring] $*"; }
# shellcheck source=../servers.sh
source bench/servers.sh
# a fresh database each time: every invocation starts from empty tables
log "recreating database $DB_NAME"
psql -h 127.0.0.1 -U atelier -d postgres -qc "DROP DATABASE IF EXISTS $DB_NAME"
psql -h 127.0.0.1 -U atelier -d postgres -qc "CREATE DATABASE $DB_NAME"
DATABASE_URL="$BENCH_DATABASE_URL" npm run --silent db:migrate

PARTS=",${BENCH_PARTS:-ingest,drift},"
if [[ "$PARTS" == *,ingest,* ]]; then
  log "ingestion: runs ${BENCH_RUNS:-3}; ${BENCH_RATE:-10000} events/s for ${BENCH_DURATION:-30} s"
  TZ=UTC node -r @swc-node/register bench/monitoring/ingest-bench.main.ts
fi
if [[ "$PARTS" == *,drift,* ]]; then
  # shellcheck source=../python-venv.sh
  source bench/python-venv.sh
  ensure_venv bench/monitoring/.venv bench/monitoring/requirements.txt
  log "drift: runs ${BENCH_RUNS:-3}; 100 inputs over 100,000 predictions against Evidently"
  TZ=UTC node --max-old-space-size=4096 -r @swc-node/register bench/monitoring/drift-bench.main.ts
fi
