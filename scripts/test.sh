#!/usr/bin/env bash
# `npm test`: everything the tests need, from scratch and idempotently — Node dependencies,
# PostgreSQL, Redis and Kafka (deploy/local/up.sh), Chromium, the web build — then the checks
# and every test. Ends with a line "N passed, N failed[, N skipped]".
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC NEXT_TELEMETRY_DISABLED=1 NX_DAEMON=false NX_NO_CLOUD=true
log() { echo "[atelier] $*"; }

bash scripts/bootstrap.sh
bash deploy/local/up.sh
bash scripts/ensure-chromium.sh
# Python tools from PyPI, pinned: Schemathesis for the OpenAPI fuzzing spec; scikit-learn +
# skl2onnx, Triton's client and MLflow's client for the interoperability specs
# shellcheck source=bench/python-venv.sh
source bench/python-venv.sh
ensure_venv .atelier/venvs/fuzz tools/fuzz/requirements.txt
ensure_venv .atelier/venvs/interop tools/interop/requirements.txt

log "checking that migrations match prisma/schema.prisma"
npm run --silent db:check
log "lint (ESLint with Nx module boundaries) and type check"
npm run --silent lint
npm run --silent typecheck
log "building the web UI"
npx next build apps/web >/tmp/atelier-web-build.log 2>&1 || { cat /tmp/atelier-web-build.log; exit 1; }

# deploy/Dockerfile's platform image, with Podman (no Docker engine or Docker Hub needed): built
# here, on its own, so the several minutes of a cold build do not share the cores with the tests;
# tools/build/image.int.spec.ts then finds its layers cached, checks the image and starts it
log "building the platform image (deploy/image/build.sh; log in .atelier/reports/image-build.log)"
mkdir -p .atelier/reports
bash deploy/image/build.sh platform >.atelier/reports/image-build.log 2>&1 || { tail -n 60 .atelier/reports/image-build.log; exit 1; }

log "running the tests"
mkdir -p .atelier/reports
summary=".atelier/reports/summary.json"
rm -f "$summary"
# the browser tests' full-page PNGs of the UI's pages (a CI artifact): this run's only
rm -rf artifacts/screenshots
status=0
ATELIER_SUMMARY_OUT="$summary" npx vitest run --reporter=default --reporter=./tools/test/summary-reporter.ts "$@" || status=$?
log "screenshots: $(find artifacts/screenshots -name '*.png' 2>/dev/null | wc -l | tr -d ' ') PNGs of the web UI's pages in artifacts/screenshots/"
# the fault suite stops and starts the shared services: after everything else, on its own; its
# last line counts both runs
log "running the fault suite (npm run test:faults)"
ATELIER_SUMMARY_CARRY="$summary" bash scripts/test-faults.sh || status=$?
exit "$status"
