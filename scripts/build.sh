#!/usr/bin/env bash
# npm run build: compiles into a fresh directory and swaps it in for dist/ at the end, so that
# processes starting from dist/ while another build runs (the test harness builds once per run,
# the bench too) find the previous build, never a half-written or deleted one.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$PWD/node_modules/.bin:$PATH"
out=".build-$$"
old=".dist-old-$$"
trap 'rm -rf "$out" "$old"' EXIT
tsc -p tsconfig.build.json --outDir "$out" --tsBuildInfoFile "$out/.tsbuildinfo"
tsc-alias -p tsconfig.build.json --outDir "$out"
cp -r libs/clickhouse/src/migrations "$out/libs/clickhouse/src/"
vite build --config apps/web/vite.config.mts --logLevel warn --outDir "$PWD/$out/web" --emptyOutDir
if [ -d dist ]; then mv dist "$old"; fi
mv "$out" dist
