#!/usr/bin/env bash
# npm run db:migration:new -- <name>
# Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the schema of
# the newest migration to prisma/schema.prisma, and keeps a copy of the schema beside it (what
# `npm run db:check` compares against).
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: npm run db:migration:new -- <name>}"
[[ "$name" =~ ^[a-z0-9_]+$ ]] || { echo "migration name: lower-case letters, digits and _ only" >&2; exit 2; }
newest=$(find prisma/migrations -mindepth 1 -maxdepth 1 -type d | sort | tail -n 1)
if [ -n "$newest" ]; then from=(--from-schema-datamodel "$newest/schema.prisma"); else from=(--from-empty); fi
sql=$(bash scripts/prisma.sh migrate diff "${from[@]}" --to-schema-datamodel prisma/schema.prisma --script 2>/dev/null)
if ! grep -v '^--' <<<"$sql" | grep -q '[^[:space:]]'; then
  echo "no schema changes: no migration written"; exit 0
fi
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "$dir"
printf '%s\n' "$sql" >"$dir/migration.sql"
cp prisma/schema.prisma "$dir/schema.prisma"
echo "wrote $dir/migration.sql"
