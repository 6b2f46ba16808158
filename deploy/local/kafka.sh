#!/usr/bin/env bash
# Apache Kafka for Atelier: one KRaft node (broker + controller) on loopback, run from the jars
# that Maven resolves from deploy/local/kafka/pom.xml into $ATELIER_HOME/kafka/libs.
#   kafka.sh up       resolve jars if needed, write config, format storage once, start, wait
#   kafka.sh status   one line: up/down + address
#   kafka.sh down     stop the broker if atelier-infra started it (pid file)
#
# Extra env: KAFKA_CONTROLLER_PORT (default broker port + 1), KAFKA_HEAP_OPTS (default -Xmx512m),
#            KAFKA_START_TIMEOUT seconds (default 90).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kafka_parse() {
  local first="${KAFKA_BROKERS%%,*}"
  first="${first#*://}" # tolerate PLAINTEXT://host:port
  parse_url "kafka://$first" 9092
  KAFKA_HOST="$URL_HOST"
  KAFKA_PORT="$URL_PORT"
  KAFKA_ADDR="$KAFKA_HOST:$KAFKA_PORT"
  KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
  KAFKA_DIR="$ATELIER_HOME/kafka"
  KAFKA_LIBS="$KAFKA_DIR/libs"
  KAFKA_CONF="$KAFKA_DIR/config"
  KAFKA_DATA="$KAFKA_DIR/data"
  KAFKA_PID_FILE="$KAFKA_DIR/kafka.pid"
  KAFKA_LOG_DIR="$LOG_DIR/kafka"
  KAFKA_LOG="$KAFKA_LOG_DIR/server.log"
  KAFKA_POM="$ATELIER_INFRA_DIR/kafka/pom.xml"
}

# Version pinned in the pom (<kafka.version>).
kafka_pom_version() {
  sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM" | head -1
}

kafka_libs_stamp() {
  echo "kafka=$(kafka_pom_version) pom=$(sha256sum "$KAFKA_POM" | cut -c1-16)"
}

kafka_libs_ok() {
  [[ -f "$KAFKA_LIBS/.atelier-stamp" && "$(cat "$KAFKA_LIBS/.atelier-stamp")" == "$(kafka_libs_stamp)" ]] &&
    compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null
}

# Pid of the broker atelier-infra started, if it is still that broker; else fails.
kafka_pid() {
  local pid
  pid="$(cat "$KAFKA_PID_FILE" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

kafka_packages() {
  kafka_parse
  tcp_open "$KAFKA_HOST" "$KAFKA_PORT" && return 0
  command -v java >/dev/null 2>&1 || echo openjdk-17-jre-headless
  kafka_libs_ok || command -v mvn >/dev/null 2>&1 || echo maven
}

kafka_resolve_libs() {
  kafka_libs_ok && return 0
  command -v mvn >/dev/null 2>&1 || apt_install maven
  local version tmp
  version="$(kafka_pom_version)"
  tmp="$KAFKA_DIR/libs.tmp.$$"
  rm -rf "$tmp"
  log "kafka: resolving Kafka $version jars from Maven Central (first run: may take a few minutes; log $KAFKA_LOG_DIR/mvn.log)"
  if ! mvn -q -B -Dstyle.color=never -f "$KAFKA_POM" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" -DincludeScope=runtime >"$KAFKA_LOG_DIR/mvn.log" 2>&1; then
    rm -rf "$tmp"
    tail -n 20 "$KAFKA_LOG_DIR/mvn.log" >&2 || true
    die "kafka: mvn dependency:copy-dependencies failed, see $KAFKA_LOG_DIR/mvn.log"
  fi
  [[ -f "$tmp/kafka_2.13-$version.jar" ]] || die "kafka: kafka_2.13-$version.jar missing after mvn (see $KAFKA_LOG_DIR/mvn.log)"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  kafka_libs_stamp >"$KAFKA_LIBS/.atelier-stamp"
  log "kafka: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in $KAFKA_LIBS"
}

kafka_write_config() {
  local adv_host="$KAFKA_HOST" listen_host="$KAFKA_HOST"
  [[ "$listen_host" == localhost ]] && listen_host=127.0.0.1
  cat >"$KAFKA_CONF/server.properties.tmp" <<EOF
# Written by deploy/local/kafka.sh; rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$listen_host:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$listen_host:$KAFKA_PORT,CONTROLLER://$listen_host:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$adv_host:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=168
log.segment.bytes=268435456
EOF
  mv "$KAFKA_CONF/server.properties.tmp" "$KAFKA_CONF/server.properties"

  # Log4j 2 (Kafka 4.x): broker log to a size-rolled file, nothing on the console.
  cat >"$KAFKA_CONF/log4j2.properties" <<'EOF'
# Written by deploy/local/kafka.sh.
status = warn
name = atelier-kafka
# Kafka logs its own shutdown from a JVM shutdown hook: keep Log4j's hook from closing the
# appender first (the file appender flushes every line, so nothing is lost at exit).
shutdownHook = disable
appender.server.type = RollingFile
appender.server.name = server
appender.server.fileName = ${sys:kafka.logs.dir}/server.log
appender.server.filePattern = ${sys:kafka.logs.dir}/server.log.%i
appender.server.layout.type = PatternLayout
appender.server.layout.pattern = [%d] %p %m (%c)%n
appender.server.policies.type = Policies
appender.server.policies.size.type = SizeBasedTriggeringPolicy
appender.server.policies.size.size = 50MB
appender.server.strategy.type = DefaultRolloverStrategy
appender.server.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.server.ref = server
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.network.name = kafka.network.RequestChannel$
logger.network.level = WARN
EOF

  # Command-line tools (storage format): warnings only, on stderr.
  cat >"$KAFKA_CONF/tools-log4j2.properties" <<'EOF'
status = warn
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = stderr
EOF
}

kafka_java_tool() {
  java -Xmx256m -Dlog4j2.configurationFile="$KAFKA_CONF/tools-log4j2.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

# Format the KRaft storage once (again only if the controller endpoint changed).
kafka_format() {
  local want="controller=$KAFKA_CONTROLLER_PORT node=1" cid
  if [[ -f "$KAFKA_DATA/meta.properties" ]]; then
    if [[ "$(cat "$KAFKA_DIR/formatted-for" 2>/dev/null)" == "$want" ]]; then return 0; fi
    warn "kafka: controller endpoint changed ($(cat "$KAFKA_DIR/formatted-for" 2>/dev/null || echo unknown) -> $want): wiping $KAFKA_DATA and re-formatting"
    rm -rf "$KAFKA_DATA"
  fi
  if [[ -s "$KAFKA_DIR/cluster-id" ]]; then
    cid="$(cat "$KAFKA_DIR/cluster-id")"
  else
    cid="$(kafka_java_tool kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOG_DIR/format.log")" ||
      die "kafka: StorageTool random-uuid failed, see $KAFKA_LOG_DIR/format.log"
    echo "$cid" >"$KAFKA_DIR/cluster-id"
  fi
  log "kafka: formatting storage $KAFKA_DATA (cluster id $cid)"
  kafka_java_tool kafka.tools.StorageTool format -t "$cid" -c "$KAFKA_CONF/server.properties" --standalone \
    >>"$KAFKA_LOG_DIR/format.log" 2>&1 || die "kafka: storage format failed, see $KAFKA_LOG_DIR/format.log"
  echo "$want" >"$KAFKA_DIR/formatted-for"
}

# Wait until the port accepts connections and the log says the server started.
kafka_wait_ready() {
  local pid="$1" timeout="${KAFKA_START_TIMEOUT:-90}" start=$SECONDS
  while ((SECONDS - start < timeout)); do
    if ! pid_alive "$pid"; then
      tail -n 15 "$KAFKA_LOG" "$KAFKA_LOG_DIR/stdout.log" >&2 2>/dev/null || true
      rm -f "$KAFKA_PID_FILE"
      unmark_started kafka
      die "kafka: broker exited during startup, see $KAFKA_LOG and $KAFKA_LOG_DIR/stdout.log"
    fi
    if grep -q 'Kafka Server started' "$KAFKA_LOG" 2>/dev/null && tcp_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      return 0
    fi
    sleep 0.5
  done
  die "kafka: not ready on $KAFKA_ADDR after ${timeout}s (pid $pid still running), see $KAFKA_LOG"
}

kafka_up() {
  kafka_parse
  local pid
  if pid="$(kafka_pid)"; then
    grep -q "^listeners=PLAINTEXT://[^,]*:$KAFKA_PORT," "$KAFKA_CONF/server.properties" 2>/dev/null ||
      die "kafka: the broker of $ATELIER_HOME (pid $pid) listens elsewhere ($(sed -n 's/^listeners=//p' "$KAFKA_CONF/server.properties")); run kafka.sh down first or use another ATELIER_HOME"
    if tcp_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      log "kafka: already up at $KAFKA_ADDR (pid $pid)"
      return 0
    fi
    log "kafka: broker pid $pid is starting, waiting"
    kafka_wait_ready "$pid"
    log "kafka: up at $KAFKA_ADDR (pid $pid, log $KAFKA_LOG)"
    return 0
  fi
  if tcp_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    log "kafka: already reachable at $KAFKA_ADDR, reusing it"
    return 0
  fi
  is_loopback "$KAFKA_HOST" ||
    die "kafka: $KAFKA_ADDR is not reachable and is not a loopback address; start it yourself or unset KAFKA_BROKERS"
  tcp_open "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT" &&
    die "kafka: controller port $KAFKA_CONTROLLER_PORT is taken by another process (set KAFKA_CONTROLLER_PORT)"

  ensure_dirs "$KAFKA_DIR" "$KAFKA_CONF" "$KAFKA_LOG_DIR"
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
  kafka_resolve_libs
  kafka_write_config
  kafka_format

  # One fresh server.log per start (the previous one is kept as server.log.prev).
  [[ -f "$KAFKA_LOG" ]] && mv -f "$KAFKA_LOG" "$KAFKA_LOG.prev"
  local heap="${KAFKA_HEAP_OPTS:--Xmx512m}"
  log "kafka: starting KRaft broker+controller on $KAFKA_ADDR (controller :$KAFKA_CONTROLLER_PORT, log $KAFKA_LOG)"
  # shellcheck disable=SC2086 # heap options are a word list on purpose
  nohup setsid java $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dkafka.logs.dir="$KAFKA_LOG_DIR" -Dlog4j2.configurationFile="$KAFKA_CONF/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONF/server.properties" \
    >>"$KAFKA_LOG_DIR/stdout.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$KAFKA_PID_FILE"
  mark_started kafka "$pid"
  kafka_wait_ready "$pid"
  log "kafka: up at $KAFKA_ADDR (pid $pid, log $KAFKA_LOG)"
}

kafka_status() {
  kafka_parse
  local pid note=""
  pid="$(kafka_pid)" && note="pid $pid, started by atelier-infra"
  if tcp_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    status_line kafka up "$KAFKA_ADDR" "$note"
  else
    status_line kafka down "$KAFKA_ADDR" "${note:+$note, port closed}"
    return 1
  fi
}

kafka_down() {
  kafka_parse
  local pid i
  if ! pid="$(kafka_pid)"; then
    rm -f "$KAFKA_PID_FILE"
    unmark_started kafka
    if tcp_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      log "kafka: $KAFKA_ADDR was not started by atelier-infra (no pid file), leaving it running"
    else
      log "kafka: not running"
    fi
    return 0
  fi
  log "kafka: stopping broker pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 120; i++)); do
    pid_alive "$pid" || break
    sleep 0.5
  done
  if pid_alive "$pid"; then
    warn "kafka: pid $pid still running after 60 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$KAFKA_PID_FILE"
  unmark_started kafka
  log "kafka: stopped"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main_dispatch kafka "$@"; fi
