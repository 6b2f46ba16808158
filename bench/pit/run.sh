#!/usr/bin/env bash
# Point-in-time join: the demo's training set built by TrainingSetService in-process against
# DuckDB's ASOF JOIN on 2 threads over the same PostgreSQL rows. See bench/README.md
# ("Point-in-time join").
#   npm run bench:pit                     # 3 runs (~1 min on 2 cores once seeded)
#   BENCH_RUNS=1 npm run bench:pit
#   node -r @swc-node/register bench/pit/pit-bench.main.ts --render bench/results/pit-<time>.json
set -euo pipefail
cd "$(dirname "$0")/../.."

DATA=bench/.data/pit
# the serving benchmark's database: the same demo month, seeded by whichever runs first
DB_NAME=atelier_bench
log() { echo "[bench:pit] $*"; }

# PostgreSQL, Redis, Kafka, the clean-up of a platform started to seed, the database.
# shellcheck source=../servers.sh
source bench/servers.sh
if ! bench_database_exists; then
  log "creating database $DB_NAME"
  psql -h 127.0.0.1 -U atelier -d postgres -qc "CREATE DATABASE $DB_NAME"
fi
DATABASE_URL="$BENCH_DATABASE_URL" npm run --silent db:migrate
[[ -x /usr/bin/time ]] || log "/usr/bin/time missing; using self-reported peak RSS (apt-get install time to fix)"

log "runs: ${BENCH_RUNS:-3}"
TZ=UTC node -r @swc-node/register bench/pit/pit-bench.main.ts
