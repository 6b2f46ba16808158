#!/usr/bin/env bash
# Stop Atelier's local infrastructure: Kafka, then Redis, then PostgreSQL.
# Only what this tooling started (recorded in $ATELIER_HOME/state) unless --all.
# Usage: deploy/local/down.sh [--all]
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$DIR/lib.sh"
source "$DIR/postgres.sh"
source "$DIR/redis.sh"
source "$DIR/kafka.sh"

all=""
case "${1:-}" in
  "") ;;
  --all) all=--all ;;
  *)
    echo "usage: $(basename "$0") [--all]" >&2
    exit 2
    ;;
esac
ensure_dirs
rc=0
(kafka_down $all) || rc=1
(redis_down $all) || rc=1
(postgres_down $all) || rc=1
exit "$rc"
