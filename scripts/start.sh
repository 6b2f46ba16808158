#!/usr/bin/env bash
# `npm start`: the whole platform on this machine — Node dependencies, PostgreSQL, Redis and
# Kafka (deploy/local/up.sh), migrations, the platform process (every service in one process,
# :3000, with its training worker processes), the flights demo with a first trained model, and
# the web UI (:4200).
# Ctrl-C stops the platform and the UI; `npm run infra:down` stops the infrastructure.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC NEXT_TELEMETRY_DISABLED=1 NX_DAEMON=false NX_NO_CLOUD=true
PORT="${PORT:-3000}"
WEB_PORT="${WEB_PORT:-4200}"
API="http://127.0.0.1:${PORT}"
LOGS=".atelier/logs"
mkdir -p "$LOGS"
log() { echo "[atelier] $*"; }

bash scripts/bootstrap.sh
bash deploy/local/up.sh
npm run --silent db:migrate

# API keys: made once on this machine and kept in .atelier/keys.env (readable by its owner only);
# the platform creates them (hashed) at start. The admin key signs in to the web UI.
KEYS=".atelier/keys.env"
new_key() { echo "atl_$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40)"; }
first_run=0
if [ ! -f "$KEYS" ]; then
  (umask 077 && printf 'ATELIER_ADMIN_KEY=%s\nATELIER_SERVICE_KEY=%s\nATELIER_UI_SECRET=%s\n' "$(new_key)" "$(new_key)" "$(new_key)" >"$KEYS")
  first_run=1
fi
set -a
# shellcheck disable=SC1090
source "$KEYS"
set +a
export ATELIER_API_KEY="$ATELIER_ADMIN_KEY"

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$PORT" "$WEB_PORT"; do
  port_free "$port" || { log "port $port is taken by another process; stop it or set PORT / WEB_PORT"; exit 1; }
done

# Each child gets a process group of its own, so stopping it also stops what it started
# (npx → next-server; the platform → its training workers, which also exit when it is gone).
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

log "starting the platform on $API (log: $LOGS/platform.log)"
PORT="$PORT" setsid node -r @swc-node/register apps/platform/src/main.ts >>"$LOGS/platform.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  if curl -fsS "$API/health/ready" >/dev/null 2>&1; then break; fi
  kill -0 "${pids[0]}" 2>/dev/null || { tail -n 40 "$LOGS/platform.log"; log "the platform exited; see $LOGS/platform.log"; exit 1; }
  sleep 1
done
curl -fsS "$API/health/ready" >/dev/null || { log "the platform is not ready after 120 s; see $LOGS/platform.log"; exit 1; }

FEATURE_STORE_URL="$API" TRAINING_URL="$API" REGISTRY_URL="$API" MONITORING_URL="$API" npm run --silent demo:seed

if [ ! -f apps/web/.next/BUILD_ID ] || [ -n "$(find apps/web libs/contracts/src libs/sdk/src -newer apps/web/.next/BUILD_ID -type f -not -path '*/.next/*' -print -quit)" ]; then
  log "building the web UI"
  npx next build apps/web >"$LOGS/web-build.log" 2>&1 || { tail -n 40 "$LOGS/web-build.log"; exit 1; }
fi
if [ "$first_run" = 1 ]; then
  log "the first admin API key (shown once here; also in $KEYS): $ATELIER_ADMIN_KEY"
fi
log "sign in to the web UI on http://127.0.0.1:${WEB_PORT} with the admin key in $KEYS (ATELIER_ADMIN_KEY); create more keys there or with POST /api/keys"
log "API docs on $API/docs · Ctrl-C to stop"
ATELIER_API_URL="$API" setsid npx next start apps/web -p "$WEB_PORT" -H 127.0.0.1 &
pids+=($!)
wait -n "${pids[@]}"
