#!/usr/bin/env bash
# Batch scoring benchmark: a batch job of the demo model over ~1M demo flights, end to end,
# against a raw ONNX Runtime loop over the same rows plus the same Parquet file. See
# bench/README.md ("Batch").
#   npm run bench:batch                          # 3 runs (~10 min on 2 cores the first time)
#   BENCH_RUNS=1 BENCH_BATCH_END=2001-02-01T00:00:00Z npm run bench:batch   # the demo's month only
set -euo pipefail
cd "$(dirname "$0")/../.."

DATA=bench/.data/batch
# its own database: the window it seeds is larger than the demo's
DB_NAME=atelier_bench_batch
log() { echo "[bench:batch] $*"; }
# shellcheck source=../servers.sh
source bench/servers.sh
END="${BENCH_BATCH_END:-2001-03-03T00:00:00Z}"
# the demo loads once per database: another window needs a fresh one
if [[ -f "$DATA/seeded-end" && "$(cat "$DATA/seeded-end")" != "$END" ]]; then
  log "window changed: recreating database $DB_NAME"
  psql -h 127.0.0.1 -U atelier -d postgres -qc "DROP DATABASE IF EXISTS $DB_NAME"
fi
echo "$END" >"$DATA/seeded-end"
if ! bench_database_exists; then
  log "creating database $DB_NAME"
  psql -h 127.0.0.1 -U atelier -d postgres -qc "CREATE DATABASE $DB_NAME"
fi
DATABASE_URL="$BENCH_DATABASE_URL" npm run --silent db:migrate

log "runs: ${BENCH_RUNS:-3}; window 2001-01-01 → $END"
TZ=UTC node -r @swc-node/register bench/batch/batch-bench.main.ts
