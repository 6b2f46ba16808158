#!/usr/bin/env bash
# Start Atelier's local infrastructure: PostgreSQL, Redis, Kafka (KRaft) on loopback.
# Idempotent: services already reachable at DATABASE_URL / REDIS_URL / KAFKA_BROKERS are reused.
# Usage: deploy/local/up.sh
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$DIR/lib.sh"
source "$DIR/postgres.sh"
source "$DIR/redis.sh"
source "$DIR/kafka.sh"

t0="$(now_ms)"
ensure_dirs
ATELIER_APT_MARKER="$(mktemp)"
export ATELIER_APT_MARKER
trap 'rm -f "$ATELIER_APT_MARKER"' EXIT

# Install what is missing in one apt transaction (apt-get update at most once).
mapfile -t pkgs < <(postgres_packages; redis_packages; kafka_packages)
if ((${#pkgs[@]} > 0)); then apt_install "${pkgs[@]}"; fi

# Bring the three up in parallel (Kafka is the slow one); each logs its own lines.
declare -A jobs=()
(postgres_up) & jobs[postgres]=$!
(redis_up) & jobs[redis]=$!
(kafka_up) & jobs[kafka]=$!
failed=()
for name in postgres redis kafka; do
  wait "${jobs[$name]}" || failed+=("$name")
done

elapsed="$(( $(now_ms) - t0 ))"
secs="$(printf '%d.%01d' $((elapsed / 1000)) $((elapsed % 1000 / 100)))"
if ((${#failed[@]} > 0)); then
  die "failed: ${failed[*]} (after ${secs}s; logs in $LOG_DIR)"
fi
log "all up in ${secs}s: DATABASE_URL=$DATABASE_URL REDIS_URL=$REDIS_URL KAFKA_BROKERS=$KAFKA_BROKERS"
