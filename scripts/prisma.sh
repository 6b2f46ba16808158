#!/usr/bin/env bash
# Runs the Prisma CLI without its native engines: the client uses the JavaScript query engine
# over node-postgres (prisma.config.ts). The two variables only stop the CLI from trying to
# download engine binaries it does not use here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PRISMA_QUERY_ENGINE_LIBRARY="${PRISMA_QUERY_ENGINE_LIBRARY:-$PWD/package.json}"
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$PWD/package.json}"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1 PRISMA_GENERATE_SKIP_AUTOINSTALL=1
export DATABASE_URL="${DATABASE_URL:-postgresql://atelier:atelier@127.0.0.1:5432/atelier}"
exec node node_modules/prisma/build/index.js "$@"
