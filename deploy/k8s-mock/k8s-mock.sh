#!/usr/bin/env bash
# Local Kubernetes API server stand-in: fabric8's kubernetes-server-mock (Maven Central) in CRUD
# mode, as a plain Java process. It stores and serves objects; it runs nothing (see docs/kubernetes.md).
#
#   deploy/k8s-mock/k8s-mock.sh fetch    download the jars once (deploy/k8s-mock/.cache/libs) and compile the main
#   deploy/k8s-mock/k8s-mock.sh start    fetch if needed, start, wait until it answers, write a kubeconfig, print its path
#   deploy/k8s-mock/k8s-mock.sh stop     stop the server started from the same K8S_MOCK_HOME
#   deploy/k8s-mock/k8s-mock.sh status   exit 0 when the server answers
#
# Environment: K8S_MOCK_PORT (0 = a free port, the default), K8S_MOCK_HOME (state dir: pid, port,
# log, kubeconfig; default .data/k8s-mock), K8S_MOCK_KUBECONFIG (where to write the kubeconfig;
# default $K8S_MOCK_HOME/kubeconfig), K8S_MOCK_HEAP (256m), K8S_MOCK_START_TIMEOUT seconds (60).
# Needs Java 17 and Maven.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
libs="$here/.cache/libs"
classes="$here/.cache/classes"
port="${K8S_MOCK_PORT:-0}"
home="${K8S_MOCK_HOME:-$root/.data/k8s-mock}"
kubeconfig="${K8S_MOCK_KUBECONFIG:-$home/kubeconfig}"
heap="${K8S_MOCK_HEAP:-256m}"
timeout="${K8S_MOCK_START_TIMEOUT:-60}"
pidfile="$home/server.pid"
portfile="$home/server.port"
logfile="$home/server.log"

log() { echo "[k8s-mock] $*" >&2; }

fetch() {
  if [ ! -f "$libs/.complete" ]; then
    command -v mvn >/dev/null || { log "Maven (mvn) is required to fetch the jars"; exit 1; }
    log "fetching kubernetes-server-mock jars from Maven Central into $libs"
    rm -rf "$libs"
    mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs"
    touch "$libs/.complete"
  fi
  if [ ! -f "$classes/K8sMock.class" ] || [ "$here/src/K8sMock.java" -nt "$classes/K8sMock.class" ]; then
    mkdir -p "$classes"
    javac -d "$classes" -cp "$libs/*" "$here/src/K8sMock.java"
  fi
}

running_pid() {
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then cat "$pidfile"; else return 1; fi
}

bound_port() { [ -s "$portfile" ] && cat "$portfile"; }

ready() {
  local p
  p="$(bound_port)" || return 1
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
}

write_kubeconfig() {
  mkdir -p "$(dirname "$kubeconfig")"
  cat > "$kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: k8s-mock
    cluster:
      server: http://127.0.0.1:$1
      # Plain HTTP: @kubernetes/client-node refuses http:// unless TLS verification is "skipped".
      insecure-skip-tls-verify: true
contexts:
  - name: k8s-mock
    context:
      cluster: k8s-mock
      user: k8s-mock
current-context: k8s-mock
users:
  - name: k8s-mock
    user:
      token: k8s-mock
KUBECONFIG
}

start() {
  fetch
  if pid="$(running_pid)"; then
    log "already running (pid $pid) on 127.0.0.1:$(bound_port)"; echo "$kubeconfig"; return 0
  fi
  mkdir -p "$home"
  rm -f "$portfile"
  : > "$logfile"
  nohup java -Xms64m -Xmx"$heap" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -cp "$classes:$libs/*" K8sMock "$port" "$portfile" >>"$logfile" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 $((timeout * 5))); do
    if ready; then
      write_kubeconfig "$(bound_port)"
      log "ready on http://127.0.0.1:$(bound_port) (pid $(cat "$pidfile"), kubeconfig $kubeconfig)"
      echo "$kubeconfig"
      return 0
    fi
    if ! running_pid >/dev/null; then log "server exited during start; last log lines:"; tail -20 "$logfile" >&2; exit 1; fi
    sleep 0.2
  done
  log "not ready after ${timeout}s; last log lines:"; tail -20 "$logfile" >&2
  stop; exit 1
}

stop() {
  if ! pid="$(running_pid)"; then rm -f "$pidfile" "$portfile"; return 0; fi
  kill "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile" "$portfile"; log "stopped"; return 0; }
    sleep 0.2
  done
  log "server did not stop in 20s; killing"; kill -9 "$pid" 2>/dev/null || true; rm -f "$pidfile" "$portfile"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) ready ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
