#!/usr/bin/env bash
# One line per service (up/down + address). Exit 0 if all are up, 1 otherwise.
# Usage: deploy/local/status.sh
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$DIR/lib.sh"
source "$DIR/postgres.sh"
source "$DIR/redis.sh"
source "$DIR/kafka.sh"

rc=0
(postgres_status) || rc=1
(redis_status) || rc=1
(kafka_status) || rc=1
exit "$rc"
