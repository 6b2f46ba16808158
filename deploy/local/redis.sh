#!/usr/bin/env bash
# Redis for Atelier (no persistence, loopback only).
#   redis.sh up       install if missing, start redis-server (daemonized), wait for PONG
#   redis.sh status   one line: up/down + address
#   redis.sh down     shutdown if atelier-infra started it (--all: in any case); the append-only
#                     file keeps the data for the next start
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

redis_parse() {
  parse_url "$REDIS_URL" 6379
  REDIS_TLS=""
  case "$URL_SCHEME" in
    redis) ;;
    rediss) REDIS_TLS=1 ;;
    *) die "REDIS_URL must start with redis:// (got $URL_SCHEME://)" ;;
  esac
  REDIS_HOST="$URL_HOST"
  REDIS_PORT="$URL_PORT"
  REDIS_USER="$URL_USER"
  REDIS_PASS="$URL_PASS"
  REDIS_ADDR="$REDIS_HOST:$REDIS_PORT"
  REDIS_DIR="$ATELIER_HOME/redis"
  REDIS_LOG="$LOG_DIR/redis-$REDIS_PORT.log"
  REDIS_MARK="redis-$REDIS_PORT" # "started by atelier-infra" marker, one per port
}

redis_cli() {
  local args=(-h "$REDIS_HOST" -p "$REDIS_PORT")
  [[ -n "$REDIS_USER" && "$REDIS_USER" != default ]] && args+=(--user "$REDIS_USER")
  [[ -n "${REDIS_TLS:-}" ]] && args+=(--tls)
  REDISCLI_AUTH="$REDIS_PASS" timeout 5 redis-cli "${args[@]}" "$@"
}

# True when the server answers PING with PONG (redis-cli, or raw RESP over /dev/tcp).
redis_ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    [[ "$(redis_cli ping 2>/dev/null)" == PONG ]]
  else
    # shellcheck disable=SC2016 # expanded by the inner shell
    timeout 2 bash -c '
      exec 3<>"/dev/tcp/$0/$1" || exit 1
      if [[ -n "$2" ]]; then printf "AUTH %s\r\n" "$2" >&3; read -r _ <&3; fi
      printf "PING\r\n" >&3
      read -r line <&3
      [[ "$line" == +PONG* ]]' "$REDIS_HOST" "$REDIS_PORT" "$REDIS_PASS" 2>/dev/null
  fi
}

redis_packages() {
  redis_parse
  if redis_ping || command -v redis-server >/dev/null 2>&1; then return 0; fi
  echo redis-server
}

# The package's own server runs without an append-only file: turn it on (and into its config).
redis_persist() {
  redis_cli config set appendonly yes >/dev/null 2>&1 || log "redis: could not turn on appendonly"
  redis_cli config set appendfsync everysec >/dev/null 2>&1 || true
  redis_cli config rewrite >/dev/null 2>&1 || true
}

redis_up() {
  redis_parse
  if redis_ping; then
    if installed_this_run redis-server && ! was_started "$REDIS_MARK"; then
      mark_started "$REDIS_MARK" "$REDIS_ADDR"
      log "redis: started by the package install at $REDIS_ADDR"
      redis_persist
    else
      log "redis: already up at $REDIS_ADDR"
    fi
    return 0
  fi
  if tcp_open "$REDIS_HOST" "$REDIS_PORT"; then
    die "redis: something listens on $REDIS_ADDR but does not answer PING (wrong password in REDIS_URL?)"
  fi
  is_loopback "$REDIS_HOST" ||
    die "redis: $REDIS_ADDR is not reachable and is not a loopback address; start it yourself or unset REDIS_URL"
  [[ -z "${REDIS_TLS:-}" ]] || die "redis: rediss:// (TLS) is not supported for the local server"
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  if redis_ping; then # the package's postinst may have started one on this port
    mark_started "$REDIS_MARK" "$REDIS_ADDR"
    log "redis: started by the package install at $REDIS_ADDR"
    redis_persist
    return 0
  fi
  ensure_dirs "$REDIS_DIR"
  local bind="$REDIS_HOST"
  [[ "$bind" == localhost ]] && bind=127.0.0.1
  # append-only file, fsync'd every second: the online store survives a restart (and a crash, but
  # for its last second); no RDB snapshots
  local args=(--daemonize yes --bind "$bind" --port "$REDIS_PORT" --save '' --appendonly yes --appendfsync everysec
    --appenddirname "appendonly-$REDIS_PORT"
    --dir "$REDIS_DIR" --logfile "$REDIS_LOG" --pidfile "$REDIS_DIR/redis-$REDIS_PORT.pid")
  [[ -n "$REDIS_PASS" ]] && args+=(--requirepass "$REDIS_PASS")
  log "redis: starting redis-server on $bind:$REDIS_PORT (log $REDIS_LOG)"
  redis-server "${args[@]}" || die "redis: redis-server failed to start, see $REDIS_LOG"
  mark_started "$REDIS_MARK" "$REDIS_ADDR"
  local i
  for ((i = 0; i < 60; i++)); do
    redis_ping && break
    sleep 0.25
  done
  redis_ping || die "redis: no PONG from $REDIS_ADDR after 15 s, see $REDIS_LOG"
  log "redis: up at $REDIS_ADDR"
}

redis_status() {
  redis_parse
  local note=""
  was_started "$REDIS_MARK" && note="started by atelier-infra"
  if redis_ping; then
    status_line redis up "$REDIS_ADDR" "$note"
  else
    status_line redis down "$REDIS_ADDR"
    return 1
  fi
}

redis_down() {
  redis_parse
  if ! redis_ping; then
    log "redis: not running"
    unmark_started "$REDIS_MARK"
    return 0
  fi
  if ! was_started "$REDIS_MARK" && [[ "${1:-}" != "--all" ]]; then
    log "redis: not started by atelier-infra, leaving $REDIS_ADDR running (down.sh --all stops it)"
    return 0
  fi
  log "redis: shutdown nosave at $REDIS_ADDR"
  redis_cli shutdown nosave >/dev/null 2>&1 || true # the connection drops on success
  local i
  for ((i = 0; i < 40; i++)); do
    tcp_open "$REDIS_HOST" "$REDIS_PORT" || break
    sleep 0.25
  done
  tcp_open "$REDIS_HOST" "$REDIS_PORT" && die "redis: still running at $REDIS_ADDR after shutdown"
  unmark_started "$REDIS_MARK"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main_dispatch redis "$@"; fi
