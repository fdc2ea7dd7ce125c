#!/usr/bin/env bash
# The long fuzz run of issue 10 (test/fuzz/fuzz.e2e-spec.ts): FUZZ_REQUESTS generated hostile
# requests (default 10,000) across every route of both apps, on the same real stack as the e2e
# tests. FUZZ_SEED replays a run (the seed is printed); FUZZ_CONCURRENCY (default 8);
# FUZZ_LOG=<file> writes every request and answer as JSON lines. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_REQUESTS="${FUZZ_REQUESTS:-10000}"
export TZ=UTC
exec npx jest test/fuzz/fuzz.e2e-spec.ts --selectProjects integration --verbose=false "$@"
