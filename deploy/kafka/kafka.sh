#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft) from Maven Central jars: no Docker, no manual install.
#
#   deploy/kafka/kafka.sh fetch    download the broker jars once (cached in deploy/kafka/.cache/libs)
#   deploy/kafka/kafka.sh start    fetch if needed, format storage on first start, start, wait until ready
#   deploy/kafka/kafka.sh stop     stop the broker started from the same KAFKA_HOME
#   deploy/kafka/kafka.sh status   exit 0 when the broker answers
#
# Environment: KAFKA_PORT (9092), KAFKA_HOME (state dir: data, logs, pid; default .data/kafka-$KAFKA_PORT),
# KAFKA_HEAP (512m), KAFKA_START_TIMEOUT seconds (60). Needs Java 17 and Maven.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
libs="$here/.cache/libs"
port="${KAFKA_PORT:-9092}"
controller_port="$((port + 1))"
home="${KAFKA_HOME:-$root/.data/kafka-$port}"
heap="${KAFKA_HEAP:-512m}"
timeout="${KAFKA_START_TIMEOUT:-60}"
pidfile="$home/broker.pid"
logfile="$home/broker.log"

log() { echo "[kafka] $*" >&2; }

fetch() {
  if [ -f "$libs/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is required to fetch the broker jars"; exit 1; }
  log "fetching broker jars from Maven Central into $libs"
  rm -rf "$libs"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs"
  touch "$libs/.complete"
}

java_run() {
  java -Xms128m -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$here/log4j.properties" -cp "$libs/*" "$@"
}

write_config() {
  mkdir -p "$home/data"
  cat > "$home/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$home/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
}

running_pid() {
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then cat "$pidfile"; else return 1; fi
}

ready() { grep -q "Kafka Server started" "$logfile" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

start() {
  fetch
  if pid="$(running_pid)"; then log "already running (pid $pid) on 127.0.0.1:$port"; return 0; fi
  write_config
  if [ ! -f "$home/data/meta.properties" ]; then
    # A KRaft cluster id is 16 random bytes, base64url without padding. One that begins with
    # '-' would be read by the storage tool as an option, so draw again (as Kafka's Uuid does).
    cluster_id="-"
    while [ "${cluster_id:0:1}" = "-" ]; do
      cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    done
    java_run kafka.tools.StorageTool format -t "$cluster_id" -c "$home/server.properties" >/dev/null
  fi
  : > "$logfile"
  nohup java -Xms128m -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$here/log4j.properties" -cp "$libs/*" \
    kafka.Kafka "$home/server.properties" >>"$logfile" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 $((timeout * 5))); do
    if ready; then log "ready on 127.0.0.1:$port (pid $(cat "$pidfile"), state in $home)"; return 0; fi
    if ! running_pid >/dev/null; then log "broker exited during start; last log lines:"; tail -20 "$logfile" >&2; exit 1; fi
    sleep 0.2
  done
  log "not ready after ${timeout}s; last log lines:"; tail -20 "$logfile" >&2
  stop; exit 1
}

stop() {
  if ! pid="$(running_pid)"; then rm -f "$pidfile"; return 0; fi
  kill "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; log "stopped"; return 0; }; sleep 0.2; done
  log "broker did not stop in 30s; killing"; kill -9 "$pid" 2>/dev/null || true; rm -f "$pidfile"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) ready ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
