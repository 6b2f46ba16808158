# shellcheck shell=bash
# Variables set here are read by the scripts that source this file; ensure_dirs' arguments are
# optional; single-quoted bash -c bodies are expanded by the inner shell on purpose.
# shellcheck disable=SC2034,SC2119,SC2120,SC2016
# Shared helpers for deploy/local/*.sh. Source it; do not run it.
#
# Env honoured (with defaults):
#   DATABASE_URL   postgresql://atelier:atelier@127.0.0.1:5432/atelier
#   REDIS_URL      redis://127.0.0.1:6379
#   KAFKA_BROKERS  127.0.0.1:9092
#   ATELIER_HOME   $HOME/.atelier   (state, logs, Kafka jars and data; never the repo)

if [[ -n "${ATELIER_INFRA_LIB_LOADED:-}" ]]; then return 0; fi
ATELIER_INFRA_LIB_LOADED=1

ATELIER_INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

: "${DATABASE_URL:=postgresql://atelier:atelier@127.0.0.1:5432/atelier}"
: "${REDIS_URL:=redis://127.0.0.1:6379}"
: "${KAFKA_BROKERS:=127.0.0.1:9092}"
: "${ATELIER_HOME:=${HOME:-/root}/.atelier}"
export DATABASE_URL REDIS_URL KAFKA_BROKERS ATELIER_HOME

STATE_DIR="$ATELIER_HOME/state"
LOG_DIR="$ATELIER_HOME/logs"

# ---------------------------------------------------------------- logging

log() { printf '[atelier-infra] %s\n' "$*"; }
warn() { printf '[atelier-infra] WARN: %s\n' "$*" >&2; }
die() {
  printf '[atelier-infra] ERROR: %s\n' "$*" >&2
  exit 1
}

ensure_dirs() { mkdir -p "$STATE_DIR" "$LOG_DIR" "$@"; }

# Milliseconds since the epoch (for timings).
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- privileges / packages

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Run a command as root (directly when root, else through sudo).
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# Run a command as another OS user (e.g. postgres), from root or via sudo.
as_user() {
  local user="$1"
  shift
  if [[ "$(id -un)" == "$user" ]]; then
    "$@"
  elif is_root && command -v runuser >/dev/null 2>&1; then
    runuser -u "$user" -- "$@"
  elif is_root; then
    su "$user" -s /bin/sh -c "$(printf '%q ' "$@")"
  else
    sudo -u "$user" -- "$@"
  fi
}

# apt-get update runs at most once per up.sh run: up.sh exports ATELIER_APT_MARKER (a temp
# file, removed when it ends) so that the per-service steps share it.
apt_install() {
  (($# > 0)) || return 0
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand"
  if [[ -z "${ATELIER_APT_UPDATED:-}" && ! -s "${ATELIER_APT_MARKER:-/nonexistent}" ]]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null ||
      die "apt-get update failed"
    ATELIER_APT_UPDATED=1
    if [[ -n "${ATELIER_APT_MARKER:-}" ]]; then echo updated >"$ATELIER_APT_MARKER"; fi
  fi
  log "apt-get install -y $* (output: $LOG_DIR/apt.log)"
  ensure_dirs
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" \
    >>"$LOG_DIR/apt.log" 2>&1 || die "apt-get install $* failed, see $LOG_DIR/apt.log"
  ATELIER_INSTALLED="${ATELIER_INSTALLED:-} $*"
  export ATELIER_INSTALLED
}

# True if this run installed the package (its postinst may have started the service).
installed_this_run() { [[ " ${ATELIER_INSTALLED:-} " == *" $1 "* ]]; }

# ---------------------------------------------------------------- networking

is_loopback() {
  case "$1" in
    127.* | localhost | ::1 | '[::1]') return 0 ;;
    *) return 1 ;;
  esac
}

# tcp_open HOST PORT: true if something accepts TCP connections there (bash /dev/tcp, 1 s timeout).
tcp_open() {
  timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

# wait_tcp HOST PORT SECONDS
wait_tcp() {
  local host="$1" port="$2" secs="$3" i
  for ((i = 0; i < secs * 4; i++)); do
    tcp_open "$host" "$port" && return 0
    sleep 0.25
  done
  return 1
}

# Percent-decoding for user/password pieces of URLs.
urldecode() {
  local s="${1//+/ }"
  printf '%b' "${s//%/\\x}"
}

# parse_url URL DEFAULT_PORT -> sets URL_SCHEME URL_USER URL_PASS URL_HOST URL_PORT URL_PATH
parse_url() {
  local url="$1" default_port="$2" rest userinfo hostport
  URL_SCHEME="${url%%://*}"
  rest="${url#*://}"
  URL_PATH=""
  if [[ "$rest" == */* ]]; then
    URL_PATH="${rest#*/}"
    rest="${rest%%/*}"
  fi
  URL_PATH="${URL_PATH%%\?*}"
  URL_USER=""
  URL_PASS=""
  if [[ "$rest" == *@* ]]; then
    userinfo="${rest%@*}"
    hostport="${rest##*@}"
    if [[ "$userinfo" == *:* ]]; then
      URL_USER="$(urldecode "${userinfo%%:*}")"
      URL_PASS="$(urldecode "${userinfo#*:}")"
    else
      URL_USER="$(urldecode "$userinfo")"
    fi
  else
    hostport="$rest"
  fi
  if [[ "$hostport" == \[*\]* ]]; then # [::1]:port
    URL_HOST="${hostport%%]*}]"
    hostport="${hostport#*]}"
    URL_PORT="${hostport#:}"
    URL_HOST="${URL_HOST#[}"
    URL_HOST="${URL_HOST%]}"
  elif [[ "$hostport" == *:* ]]; then
    URL_HOST="${hostport%%:*}"
    URL_PORT="${hostport##*:}"
  else
    URL_HOST="$hostport"
    URL_PORT=""
  fi
  [[ -n "$URL_HOST" ]] || URL_HOST=127.0.0.1
  [[ -n "$URL_PORT" ]] || URL_PORT="$default_port"
  [[ "$URL_PORT" =~ ^[0-9]+$ ]] || die "bad port in URL: $url"
}

# ---------------------------------------------------------------- processes

# True if the process exists and is not a zombie (orphans may stay unreaped without an init).
pid_alive() {
  [[ -n "${1:-}" && -r "/proc/$1/status" ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# ---------------------------------------------------------------- "started by us" markers

mark_started() { ensure_dirs && printf '%s\n' "${2:-1}" >"$STATE_DIR/$1.started"; }
unmark_started() { rm -f "$STATE_DIR/$1.started"; }
was_started() { [[ -f "$STATE_DIR/$1.started" ]]; }
started_info() { cat "$STATE_DIR/$1.started" 2>/dev/null || true; }

# status_line NAME STATE ADDRESS [NOTE]
status_line() {
  printf '[atelier-infra] %-9s %-5s %s%s\n' "$1" "$2" "$3" "${4:+  ($4)}"
}

# Dispatch for the per-service scripts: main_dispatch NAME "$@"
main_dispatch() {
  local name="$1" action="${2:-}"
  shift 2 || true
  case "$action" in
    up) "${name}_up" "$@" ;;
    status) "${name}_status" "$@" ;;
    down) "${name}_down" "$@" ;;
    *)
      echo "usage: $(basename "$0") up|status|down [--all]" >&2
      exit 2
      ;;
  esac
}
