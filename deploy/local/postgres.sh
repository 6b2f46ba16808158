#!/usr/bin/env bash
# PostgreSQL for Atelier (Debian cluster, loopback only).
#   postgres.sh up       install if missing, start the cluster, create role + databases
#   postgres.sh status   one line: up/down + address
#   postgres.sh down     stop the cluster if atelier-infra started it (--all: in any case)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck disable=SC2119 # ensure_dirs takes optional extra dirs

pg_parse() {
  parse_url "$DATABASE_URL" 5432
  case "$URL_SCHEME" in
    postgres | postgresql) ;;
    *) die "DATABASE_URL must start with postgresql:// (got $URL_SCHEME://)" ;;
  esac
  PG_HOST="$URL_HOST"
  PG_PORT="$URL_PORT"
  PG_USER="${URL_USER:-atelier}"
  PG_PASS="$URL_PASS"
  PG_DB="${URL_PATH:-atelier}"
  PG_TEST_DB="${PG_DB}_test"
  PG_ADDR="$PG_HOST:$PG_PORT"
}

pg_installed() {
  command -v pg_ctlcluster >/dev/null 2>&1 && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}

# Packages `up` would need (empty when the server is reachable or already installed).
postgres_packages() {
  pg_parse
  if pg_accepting || pg_installed; then return 0; fi
  echo postgresql
}

pg_accepting() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2
  else
    tcp_open "$PG_HOST" "$PG_PORT"
  fi
}

# psql as the application user over TCP. Extra args are passed to psql.
pg_app_psql() {
  PGPASSWORD="$PG_PASS" PGCONNECT_TIMEOUT=3 psql -X -q -At -v ON_ERROR_STOP=1 \
    -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" "$@"
}

# True when the app user can log in and both databases exist.
pg_login_ok() {
  command -v psql >/dev/null 2>&1 || return 1
  local n
  n="$(pg_app_psql -c "select count(*) from pg_database where datname in ('$PG_DB', '$PG_TEST_DB')" 2>/dev/null)" ||
    return 1
  [[ "$n" == 2 ]]
}

# Cluster (version name) serving PG_PORT, else the newest "main", else the newest; empty if none.
pg_pick_cluster() {
  local rows
  rows="$(pg_lsclusters -h 2>/dev/null | sort -k1,1 -V -r)" || true
  [[ -n "$rows" ]] || return 0
  awk -v p="$PG_PORT" '$3 == p { print $1, $2; exit }' <<<"$rows" | grep . ||
    awk '$2 == "main" { print $1, $2; exit }' <<<"$rows" | grep . ||
    awk 'NR == 1 { print $1, $2 }' <<<"$rows"
}

pg_newest_version() {
  local v
  v="$(for d in /usr/lib/postgresql/*/bin/postgres; do basename "$(dirname "$(dirname "$d")")"; done | sort -V | tail -1)"
  [[ -n "$v" ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql"
  echo "$v"
}

# Create the role and the two databases (as the postgres OS user, over the local socket).
pg_provision() {
  log "postgres: ensuring role $PG_USER and databases $PG_DB, $PG_TEST_DB"
  local sql
  sql="$(
    cat <<'SQL'
SELECT format('CREATE ROLE %I', :'u')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
SELECT CASE WHEN :'p' = '' THEN format('ALTER ROLE %I WITH LOGIN CREATEDB', :'u')
            ELSE format('ALTER ROLE %I WITH LOGIN CREATEDB PASSWORD %L', :'u', :'p') END \gexec
SELECT format('CREATE DATABASE %I OWNER %I', d, :'u')
  FROM unnest(ARRAY[:'db', :'tdb']) AS d
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = d) \gexec
SQL
  )"
  # From / so that psql, running as postgres, does not warn about an unreadable working directory.
  (cd / && as_user postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres \
    -v u="$PG_USER" -v p="$PG_PASS" -v db="$PG_DB" -v tdb="$PG_TEST_DB" >/dev/null <<<"$sql") ||
    die "postgres: creating role/databases failed (psql as OS user postgres on port $PG_PORT)"
}

postgres_up() {
  pg_parse
  if pg_login_ok; then
    log "postgres: already up at $PG_ADDR (user $PG_USER, databases $PG_DB, $PG_TEST_DB)"
    return 0
  fi
  local installed_now=""
  installed_this_run postgresql && installed_now=1
  if ! pg_accepting; then
    is_loopback "$PG_HOST" ||
      die "postgres: $PG_ADDR is not reachable and is not a loopback address; start it yourself or unset DATABASE_URL"
    if ! pg_installed; then
      apt_install postgresql
      installed_now=1 # the package's postinst may have created and started a cluster already
    fi
  fi
  if pg_accepting; then
    # Reachable server: reuse it; only create what is missing when it is a local Debian cluster.
    if is_loopback "$PG_HOST" && command -v pg_lsclusters >/dev/null 2>&1 && id postgres >/dev/null 2>&1; then
      if [[ -n "$installed_now" ]]; then
        mark_started postgres "$(pg_pick_cluster)"
        log "postgres: started by the package install at $PG_ADDR"
      else
        log "postgres: server reachable at $PG_ADDR, reusing it"
      fi
      pg_provision
    else
      die "postgres: server at $PG_ADDR is reachable but login as $PG_USER to $PG_DB/$PG_TEST_DB fails; fix DATABASE_URL or create them"
    fi
  else
    local cluster ver name
    cluster="$(pg_pick_cluster)"
    if [[ -z "$cluster" ]]; then
      ver="$(pg_newest_version)"
      log "postgres: no cluster found, creating $ver/main on port $PG_PORT"
      ensure_dirs
      as_root pg_createcluster "$ver" main --port "$PG_PORT" >>"$LOG_DIR/postgres-create.log" 2>&1 ||
        die "pg_createcluster failed, see $LOG_DIR/postgres-create.log"
      cluster="$ver main"
    fi
    read -r ver name <<<"$cluster"
    if as_root pg_ctlcluster "$ver" "$name" status >/dev/null 2>&1; then
      die "postgres: cluster $ver/$name is running but not on $PG_ADDR (see pg_lsclusters)"
    fi
    log "postgres: starting cluster $ver/$name on 127.0.0.1:$PG_PORT"
    ensure_dirs
    # Address and port are set on the command line: the cluster's own config stays untouched.
    as_root pg_ctlcluster "$ver" "$name" start -- \
      -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT" >>"$LOG_DIR/postgres-ctl.log" 2>&1 ||
      die "postgres: pg_ctlcluster $ver $name start failed, see /var/log/postgresql/postgresql-$ver-$name.log"
    mark_started postgres "$ver $name"
    local i
    for ((i = 0; i < 120; i++)); do
      pg_accepting && break
      sleep 0.25
    done
    pg_accepting || die "postgres: not accepting connections on $PG_ADDR after 30 s, see /var/log/postgresql/postgresql-$ver-$name.log"
    pg_login_ok || pg_provision
  fi
  pg_login_ok || die "postgres: login as $PG_USER to $PG_DB at $PG_ADDR still fails after provisioning"
  log "postgres: up at $PG_ADDR (user $PG_USER, databases $PG_DB, $PG_TEST_DB)"
}

postgres_status() {
  pg_parse
  local note=""
  was_started postgres && note="cluster $(started_info postgres), started by atelier-infra"
  if pg_login_ok; then
    status_line postgres up "$PG_ADDR" "db $PG_DB${note:+, $note}"
  elif pg_accepting; then
    status_line postgres down "$PG_ADDR" "server answers but login as $PG_USER to $PG_DB/$PG_TEST_DB fails: run up.sh"
    return 1
  else
    status_line postgres down "$PG_ADDR"
    return 1
  fi
}

postgres_down() {
  pg_parse
  local all="" cluster ver name
  [[ "${1:-}" == "--all" ]] && all=1
  if was_started postgres; then
    cluster="$(started_info postgres)"
  elif [[ -n "$all" ]] && command -v pg_lsclusters >/dev/null 2>&1 && is_loopback "$PG_HOST"; then
    cluster="$(pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p && $4 == "online" { print $1, $2; exit }')"
    if [[ -z "$cluster" ]] && pg_accepting; then
      # Started with a port override: find the online cluster of the newest version.
      cluster="$(pg_lsclusters -h 2>/dev/null | awk '$4 == "online" { print $1, $2 }' | sort -V -r | head -1)"
    fi
  else
    if pg_accepting; then
      log "postgres: not started by atelier-infra, leaving $PG_ADDR running (down.sh --all stops it)"
    else
      log "postgres: not running"
    fi
    return 0
  fi
  if [[ -z "$cluster" ]]; then
    if pg_accepting; then
      log "postgres: $PG_ADDR is not served by a local Debian cluster, leaving it running"
    else
      log "postgres: not running"
    fi
    unmark_started postgres
    return 0
  fi
  read -r ver name <<<"$cluster"
  if as_root pg_ctlcluster "$ver" "$name" status >/dev/null 2>&1; then
    log "postgres: stopping cluster $ver/$name"
    as_root pg_ctlcluster "$ver" "$name" stop >>"$LOG_DIR/postgres-ctl.log" 2>&1 ||
      die "postgres: pg_ctlcluster $ver $name stop failed"
  else
    log "postgres: cluster $ver/$name already stopped"
  fi
  unmark_started postgres
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main_dispatch postgres "$@"; fi
