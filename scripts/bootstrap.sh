#!/usr/bin/env bash
# Installs the Node dependencies when they are missing or stale, and generates the Prisma client.
# Shared by `npm start` and `npm test`; a second run is a no-op.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "[atelier] $*"; }

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing Node dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -f libs/db/src/generated/prisma/client.ts ] || [ prisma/schema.prisma -nt libs/db/src/generated/prisma/client.ts ]; then
  log "generating the Prisma client"
  bash scripts/prisma.sh generate >/dev/null
fi
