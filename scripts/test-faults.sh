#!/usr/bin/env bash
# `npm run test:faults`: the fault suite (apps/*/src/**/*.faults.ts) on the real local services,
# which it stops and starts; started first (and idempotently) by deploy/local/up.sh. `npm test`
# runs it after every other test. Ends with a line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC NX_DAEMON=false NX_NO_CLOUD=true
bash scripts/bootstrap.sh
bash deploy/local/up.sh
exec npx vitest run --config vitest.faults.config.ts --reporter=default --reporter=./tools/test/summary-reporter.ts "$@"
