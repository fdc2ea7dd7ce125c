#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft) from Maven Central jars: no Docker, no manual install.
#
#   deploy/kafka/kafka.sh fetch    download the broker jars once (cached in deploy/kafka/.cache/<version>/libs)
#   deploy/kafka/kafka.sh start    fetch if needed, format storage on first start, start, wait until ready
#   deploy/kafka/kafka.sh stop     stop the broker started from the same KAFKA_HOME
#   deploy/kafka/kafka.sh status   exit 0 when the broker answers
#
# Environment: KAFKA_VERSION (4.4.0; any 3.9.x or 4.x release on Maven Central), KAFKA_PORT (9092),
# KAFKA_HOME (state dir: data, logs, pid; default .data/kafka-$KAFKA_PORT), KAFKA_HEAP (512m),
# KAFKA_START_TIMEOUT seconds (60), KAFKA_SECURITY (plaintext, or sasl_ssl: see below).
# Needs Java 17 and Maven.
#
# KAFKA_SECURITY=sasl_ssl serves clients on KAFKA_PORT over TLS with SASL (SCRAM-SHA-256,
# SCRAM-SHA-512 and PLAIN) instead of PLAINTEXT, as managed Kafka services do: a local CA signs the
# broker's certificate (written to $KAFKA_HOME/tls/ca.pem for clients), and one user exists,
# KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD (runstream / runstream-secret). The broker talks to
# itself over a PLAINTEXT listener on KAFKA_INTERNAL_PORT (KAFKA_PORT + 2), bound to 127.0.0.1.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="${KAFKA_VERSION:-4.4.0}"
line="${version%%.*}"
libs="$here/.cache/$version/libs"
port="${KAFKA_PORT:-9092}"
security="${KAFKA_SECURITY:-plaintext}"
sasl_user="${KAFKA_SASL_USERNAME:-runstream}"
sasl_password="${KAFKA_SASL_PASSWORD:-runstream-secret}"
tls_password="runstream-local-tls"
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
  log "fetching Kafka $version jars from Maven Central into $libs"
  rm -rf "$libs"
  local profile=()
  if [ "$line" = "3" ]; then profile=(-Dkafka.line=3); fi
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs" \
    -Dkafka.version="$version" "${profile[@]}"
  touch "$libs/.complete"
}

# 3.x logs through reload4j (log4j 1 configuration), 4.x through log4j2.
logging_flag() {
  if [ "$line" = "3" ]; then echo "-Dlog4j.configuration=file:$here/log4j.properties"; else echo "-Dlog4j2.configurationFile=$here/log4j2.properties"; fi
}

java_run() {
  java -Xms128m -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true "$(logging_flag)" -cp "$libs/*" "$@"
}

# A local CA and a broker certificate for 127.0.0.1/localhost, made once per KAFKA_HOME with keytool.
make_tls() {
  local dir="$home/tls"
  if [ -f "$dir/broker.p12" ]; then return 0; fi
  mkdir -p "$dir"
  local kt=(keytool -storetype PKCS12 -storepass "$tls_password" -keypass "$tls_password")
  "${kt[@]}" -genkeypair -alias ca -keyalg RSA -keysize 2048 -validity 3650 -keystore "$dir/ca.p12" -dname "CN=Runstream local CA" -ext bc:c >/dev/null 2>&1
  "${kt[@]}" -exportcert -alias ca -keystore "$dir/ca.p12" -rfc -file "$dir/ca.pem" >/dev/null 2>&1
  "${kt[@]}" -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 3650 -keystore "$dir/broker.p12" -dname "CN=localhost" \
    -ext "SAN=dns:localhost,ip:127.0.0.1" >/dev/null 2>&1
  "${kt[@]}" -certreq -alias broker -keystore "$dir/broker.p12" -file "$dir/broker.csr" >/dev/null 2>&1
  "${kt[@]}" -gencert -alias ca -keystore "$dir/ca.p12" -infile "$dir/broker.csr" -outfile "$dir/broker.pem" -rfc -validity 3650 \
    -ext "SAN=dns:localhost,ip:127.0.0.1" >/dev/null 2>&1
  "${kt[@]}" -importcert -alias ca -keystore "$dir/broker.p12" -file "$dir/ca.pem" -noprompt >/dev/null 2>&1
  "${kt[@]}" -importcert -alias broker -keystore "$dir/broker.p12" -file "$dir/broker.pem" -noprompt >/dev/null 2>&1
}

listener_config() {
  if [ "$security" = "sasl_ssl" ]; then
    local internal="${KAFKA_INTERNAL_PORT:-$((port + 2))}"
    cat <<PROPS
listeners=SASL_SSL://127.0.0.1:$port,INTERNAL://127.0.0.1:$internal,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=SASL_SSL://127.0.0.1:$port,INTERNAL://127.0.0.1:$internal
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$sasl_user="$sasl_password";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$home/tls/broker.p12
ssl.keystore.password=$tls_password
ssl.key.password=$tls_password
PROPS
  else
    cat <<PROPS
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
PROPS
  fi
}

write_config() {
  mkdir -p "$home/data"
  cat > "$home/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
$(listener_config)
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
  case "$security" in plaintext|sasl_ssl) ;; *) log "KAFKA_SECURITY must be plaintext or sasl_ssl, not $security"; exit 2 ;; esac
  fetch
  if pid="$(running_pid)"; then log "already running (pid $pid) on 127.0.0.1:$port"; return 0; fi
  if [ "$security" = "sasl_ssl" ]; then make_tls; fi
  write_config
  if [ ! -f "$home/data/meta.properties" ]; then
    # A KRaft cluster id is 16 random bytes, base64url without padding. One that begins with
    # '-' would be read by the storage tool as an option, so draw again (as Kafka's Uuid does).
    cluster_id="-"
    while [ "${cluster_id:0:1}" = "-" ]; do
      cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    done
    local scram=()
    if [ "$security" = "sasl_ssl" ]; then
      scram=(--add-scram "SCRAM-SHA-256=[name=$sasl_user,password=$sasl_password]" --add-scram "SCRAM-SHA-512=[name=$sasl_user,password=$sasl_password]")
    fi
    java_run kafka.tools.StorageTool format -t "$cluster_id" -c "$home/server.properties" "${scram[@]}" >/dev/null
  fi
  : > "$logfile"
  nohup java -Xms128m -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true "$(logging_flag)" -cp "$libs/*" \
    kafka.Kafka "$home/server.properties" >>"$logfile" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 $((timeout * 5))); do
    if ready; then
      log "Kafka $version ready on 127.0.0.1:$port ($security, pid $(cat "$pidfile"), state in $home)"
      if [ "$security" = "sasl_ssl" ]; then log "TLS CA: $home/tls/ca.pem; SASL user $sasl_user (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN)"; fi
      return 0
    fi
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
