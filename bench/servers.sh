# Sourced by the bench scripts that start servers (serving, batch, monitoring), after DATA and
# DB_NAME are set: the orchestrator stops the servers it starts, each a process group listed in
# $DATA/pgids; should it be killed outright, the EXIT trap stops them from that list. Then
# PostgreSQL, Redis and Kafka are brought up (reused when already up).
# shellcheck shell=bash

export BENCH_DATABASE_URL="postgresql://atelier:atelier@127.0.0.1:5432/$DB_NAME"
mkdir -p "$DATA"

stop_servers() {
  local pgid
  [[ -f "$DATA/pgids" ]] || return 0
  while read -r pgid; do [[ -n "$pgid" ]] && kill -TERM -- "-$pgid" 2>/dev/null || true; done <"$DATA/pgids"
  rm -f "$DATA/pgids"
}
trap stop_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash deploy/local/up.sh
export PGPASSWORD=atelier

# true when the benchmark's database exists
bench_database_exists() {
  [[ -n "$(psql -h 127.0.0.1 -U atelier -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]]
}
