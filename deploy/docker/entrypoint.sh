#!/bin/sh
# The image's entrypoint: one image, any Runstream process, picked by the first argument.
#   ingest | materializer | query | control | notifier | agent   a long-running app
#   migrate                                                       ClickHouse migrations + Kafka topics, then exit
#   tokens create|revoke|list ...                                 API tokens (scripts/tokens.ts), then exit
#   bi grant|revoke ...                                           BI users on a ClickHouse server (scripts/bi.ts), then exit
#   rebuild ...                                                   rebuild the read model from Kafka (scripts/rebuild.ts), then exit
#   runner <program> [args...]                                    a Kubernetes job pod: run the program, report its run (docs/kubernetes.md)
# The app name is exported as RUNSTREAM_APP for deploy/docker/healthcheck.js. exec replaces this
# shell, so SIGTERM from `docker stop` reaches node and the apps drain as they do under npm start.
set -eu

usage() {
  echo "usage: entrypoint.sh ingest|materializer|query|control|notifier|agent|migrate|tokens|bi|rebuild|runner [args...]" >&2
  exit 64
}

[ "$#" -ge 1 ] || usage
app="$1"
shift

# The materializer's heap is bounded by what it holds at once (MATERIALIZER_MAX_BYTES_IN_FLIGHT of
# fetched messages, decoded and folded into rows): 128 MiB + 8x that budget, 256 MiB by default.
# Without a bound V8 lets garbage grow to ~1 GB before a full collection (BENCHMARKS.md, memory).
# A --max-old-space-size already in NODE_OPTIONS wins.
if [ "$app" = materializer ]; then
  case "${NODE_OPTIONS:-}" in
    *max-old-space-size*) ;;
    *)
      in_flight_mib=$(( ${MATERIALIZER_MAX_BYTES_IN_FLIGHT:-16777216} / 1048576 ))
      export NODE_OPTIONS="${NODE_OPTIONS:-} --max-old-space-size=$(( 128 + 8 * in_flight_mib ))"
      ;;
  esac
fi

case "$app" in
  ingest|materializer|query|control|notifier|agent)
    export RUNSTREAM_APP="$app"
    exec node "/app/dist/apps/$app/src/main.js" "$@"
    ;;
  migrate|tokens|bi|rebuild)
    export RUNSTREAM_APP="$app"
    exec node "/app/dist/scripts/$app.js" "$@"
    ;;
  runner)
    exec node /app/dist/apps/runner/src/main.js "$@"
    ;;
  *)
    echo "unknown command: $app" >&2
    usage
    ;;
esac
