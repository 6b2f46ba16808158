#!/usr/bin/env bash
# Monitoring ingestion benchmark: prediction events produced onto Kafka at a fixed rate, consumed
# and stored by the monitoring service; consumer lag measured as time. See bench/README.md
# ("Monitoring").
#   npm run bench:monitoring                                   # 3 runs, 10,000 events/s for 30 s
#   BENCH_RUNS=1 BENCH_RATE=5000 BENCH_DURATION=10 npm run bench:monitoring   # a quick one
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

log "runs: ${BENCH_RUNS:-3}; ${BENCH_RATE:-10000} events/s for ${BENCH_DURATION:-30} s"
TZ=UTC node -r @swc-node/register bench/monitoring/ingest-bench.main.ts
