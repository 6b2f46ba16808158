#!/usr/bin/env bash
# Starts the image built by build.sh (atelier/platform:local) with Podman against the local
# infrastructure (deploy/local/, on 127.0.0.1) and waits for /health/ready; then stops it.
#
#   bash deploy/local/up.sh && bash deploy/image/smoke.sh        # KEEP=1 leaves it running
#   bash deploy/image/smoke.sh -e LOG_LEVEL=debug                 # arguments: more `podman run` options
#
# The container shares the host's network (--network host): it reaches Postgres, Redis and Kafka
# on 127.0.0.1 as `npm start` does, and listens on 127.0.0.1:$PORT (default 3300, so it does not
# collide with a platform already on 3000). It uses its own database ($DB, created and migrated
# with the image's migration runner, dropped at the end unless KEEP=1) and namespace, so it does
# not touch the data of a running development platform. Only loopback traffic.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$HERE/containers.conf}"
IMAGE="${IMAGE:-atelier/platform:local}"
PORT="${PORT:-3300}"
DB="${DB:-atelier_image}"
PG_BASE="${PG_BASE:-postgresql://atelier:atelier@127.0.0.1:5432}"
NAME="${NAME:-atelier-platform-smoke}"
TIMEOUT="${TIMEOUT:-120}"

log() { printf '[atelier-image] %s %s\n' "$(date +%T)" "$*" >&2; }
key() { printf 'atl_%s' "$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40)"; }

base="http://127.0.0.1:$PORT"
env_args=(
  -e "DATABASE_URL=$PG_BASE/$DB"
  -e "REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}"
  -e "KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}"
  -e "ATELIER_NAMESPACE=${ATELIER_NAMESPACE:-atelier-image-smoke}"
  -e "HOST=127.0.0.1" -e "PORT=$PORT"
  -e "FEATURE_STORE_URL=$base" -e "REGISTRY_URL=$base" -e "SERVING_URL=$base"
  -e "MONITORING_URL=$base" -e "TRAINING_URL=$base"
  -e "ATELIER_ADMIN_KEY=${ATELIER_ADMIN_KEY:-$(key)}"
  -e "ATELIER_SERVICE_KEY=${ATELIER_SERVICE_KEY:-$(key)}"
  -e "ATELIER_UI_SECRET=${ATELIER_UI_SECRET:-$(key)}"
  "$@"
)

cleanup() {
  [ "${KEEP:-0}" = 1 ] && { log "KEEP=1: $NAME stays up on $base (podman logs $NAME; podman rm -f $NAME)"; return; }
  podman rm -f "$NAME" >/dev/null 2>&1 || true
  psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

podman rm -f "$NAME" >/dev/null 2>&1 || true
psql "$PG_BASE/postgres" -qtc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 ||
  psql "$PG_BASE/postgres" -qc "CREATE DATABASE $DB"

t0=$SECONDS
log "migrate: $IMAGE node dist/libs/db/src/cli/migrate.js ($DB)"
podman run --rm --network host "${env_args[@]}" "$IMAGE" node dist/libs/db/src/cli/migrate.js
log "migrate: done in $((SECONDS - t0))s"

t0=$SECONDS
podman run -d --name "$NAME" --network host "${env_args[@]}" "$IMAGE" >/dev/null
log "platform: started $NAME, waiting for $base/health/ready (timeout ${TIMEOUT}s)"
while :; do
  if body=$(curl -fsS -m 5 "$base/health/ready" 2>/dev/null); then
    log "platform: ready in $((SECONDS - t0))s: $body"
    break
  fi
  if [ "$(podman inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" != true ]; then
    log "platform: the container stopped; its log:"; podman logs "$NAME" 2>&1 | tail -40 >&2; exit 1
  fi
  if [ $((SECONDS - t0)) -ge "$TIMEOUT" ]; then
    log "platform: not ready after ${TIMEOUT}s; its log:"; podman logs "$NAME" 2>&1 | tail -40 >&2; exit 1
  fi
  sleep 1
done
# every directory the platform writes to is writable by the image's user
if podman logs "$NAME" 2>&1 | grep -E 'EACCES|permission denied' >&2; then
  log "platform: it could not write where it needs to (above)"; exit 1
fi
podman exec "$NAME" sh -c 'id; node --version' >&2
podman stats --no-stream --format '{{.Name}} mem {{.MemUsage}}' "$NAME" 2>/dev/null >&2 || true
