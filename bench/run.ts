/**
 * `npm run bench [-- --quick]`: measures hot paths against baselines measured in the same run
 * and writes BENCHMARKS.md. Targets live here, never in tests.
 *
 * Implemented so far (issue 6 is in progress):
 *   1. Ingest: PATCH req/s and p50/p99 at 50 connections, acked by Kafka, against a bare
 *      Fastify server parsing the same body. Target: >= 50% of baseline, p99 < 50 ms.
 *   6. Memory: peak RSS of the ingest process under that load. Target: < 250 MB.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { median, peakRssMb, ROOT, run, spread, startServer } from './support';

const quick = process.argv.includes('--quick');
const SECONDS = quick ? 3 : 10;
const RUNS = 3;
const CONNECTIONS = 50;
const RUN_IDS = 200;
const KAFKA_PORT = '29092';
const DIST = join(ROOT, 'dist');

/** ~300 bytes: what a runner sends every few seconds while a run is loading. */
const PATCH_BODY = JSON.stringify({
  appendLog: { level: 'info', message: 'loaded batch 42 of orders.stg_orders: 125000 rows in 1.82s' },
  telemetrySummary: { rowsLoaded: 5250000, bytesLoaded: 2147483648, progress: 42.5, currentPhase: 'load' },
  appendTelemetrySample: { rowsLoaded: 5250000, bytesLoaded: 2147483648 },
});

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, paths: string[], headers: Record<string, string>, seconds: number): Promise<Load> {
  const options = { url, paths, method: 'PATCH', body: PATCH_BODY, headers, connections: CONNECTIONS, seconds };
  const out = await run(process.execPath, [join(DIST, 'bench', 'load.js'), JSON.stringify(options)]);
  const result = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
  return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

function summarize(loads: Load[]): { rps: number; p50: number; p99: number; rpsSpread: string; p99Spread: string; failures: number } {
  return {
    rps: median(loads.map((l) => l.rps)),
    p50: median(loads.map((l) => l.p50)),
    p99: median(loads.map((l) => l.p99)),
    rpsSpread: spread(loads.map((l) => l.rps)),
    p99Spread: spread(loads.map((l) => l.p99)),
    failures: loads.reduce((sum, l) => sum + l.non2xx + l.errors, 0),
  };
}

async function main(): Promise<void> {
  const kafkaEnv = { ...process.env, KAFKA_PORT, KAFKA_HOME: join(ROOT, '.data', 'bench-kafka') };
  const kafkaScript = join(ROOT, 'deploy', 'kafka', 'kafka.sh');
  rmSync(kafkaEnv.KAFKA_HOME, { recursive: true, force: true });
  execFileSync(kafkaScript, ['start'], { env: kafkaEnv, stdio: 'inherit' });
  const chdbPath = join(ROOT, '.data', 'bench-chdb');
  rmSync(chdbPath, { recursive: true, force: true });
  const env = { ...process.env, TZ: 'UTC', KAFKA_BROKERS: `127.0.0.1:${KAFKA_PORT}`, CLICKHOUSE_PATH: chdbPath, CLICKHOUSE_DATABASE: 'bench', PORT: '0', LOG_LEVEL: 'log' };
  const stops: (() => void)[] = [() => execFileSync(kafkaScript, ['stop'], { env: kafkaEnv, stdio: 'inherit' })];
  try {
    const created = JSON.parse(await run(process.execPath, [join(DIST, 'scripts', 'tokens.js'), 'create', '--org', 'bench', '--name', 'bench'], env)) as { token: string };
    const headers = { authorization: `Bearer ${created.token}` };

    const baseline = await startServer(process.execPath, [join(DIST, 'bench', 'baseline-server.js')], env, /(http:\/\/127\.0\.0\.1:\d+)/);
    stops.unshift(() => baseline.child.kill());
    const ingest = await startServer(process.execPath, [join(DIST, 'apps', 'ingest', 'src', 'main.js')], env, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    stops.unshift(() => ingest.child.kill('SIGTERM'));
    const [baselineUrl, ingestUrl] = [baseline.match[1], ingest.match[1]];

    const runIds: string[] = [];
    for (let i = 0; i < RUN_IDS; i += 1) {
      const response = await fetch(`${ingestUrl}/api/elt/runs`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ projectId: 'proj_bench', jobName: `job-${i}`, cronjobName: 'hourly' }) });
      runIds.push(((await response.json()) as { id: string }).id);
    }
    const paths = runIds.map((id) => `/api/elt/runs/${id}`);

    // Warm both servers (JIT, connection pools), then alternate so drift hits both alike.
    await load(baselineUrl, paths, headers, 2);
    await load(ingestUrl, paths, headers, 2);
    const baselineLoads: Load[] = [];
    const ingestLoads: Load[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      baselineLoads.push(await load(baselineUrl, paths, headers, SECONDS));
      ingestLoads.push(await load(ingestUrl, paths, headers, SECONDS));
      console.log(`run ${i + 1}: baseline ${baselineLoads[i].rps} req/s, ingest ${ingestLoads[i].rps} req/s (p99 ${ingestLoads[i].p99} ms)`);
    }
    const ingestRss = peakRssMb(ingest.child.pid ?? 0);
    const b = summarize(baselineLoads);
    const g = summarize(ingestLoads);
    const ratio = Math.round((g.rps / b.rps) * 100);
    const versions = JSON.parse(execFileSync('npm', ['ls', '--json', '--depth=0', 'chdb', 'kafkajs', '@nestjs/core', 'fastify'], { cwd: ROOT }).toString()) as { dependencies: Record<string, { version: string }> };
    const v = (name: string) => versions.dependencies[name]?.version ?? '?';
    const pass = (ok: boolean) => (ok ? 'met' : '**missed**');

    const report = `# Benchmarks

Written by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)}. Every baseline is measured in the same run as
what it is compared with; figures are medians of ${RUNS} runs of ${SECONDS} s, with the spread (min–max).

Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB memory. Node ${process.version},
NestJS ${v('@nestjs/core')}, Fastify ${v('fastify')}, kafkajs ${v('kafkajs')}, Apache Kafka 3.9.1 (local KRaft broker), chdb ${v('chdb')}.
Load: autocannon in its own process, ${CONNECTIONS} connections, keep-alive, ${Buffer.byteLength(PATCH_BODY)}-byte PATCH bodies (appendLog +
telemetrySummary + appendTelemetrySample) rotating over ${RUN_IDS} runs. Load generator, servers and broker share the 2 cores.

## 1. Ingest: PATCH, acknowledged by Kafka

| | req/s (spread) | p50 ms | p99 ms (spread) | non-2xx + errors |
|---|---|---|---|---|
| baseline: bare Fastify, parse + 202 | ${b.rps} (${b.rpsSpread}) | ${b.p50} | ${b.p99} (${b.p99Spread}) | ${b.failures} |
| ingest: auth + class-validator + scrub + Kafka ack (acks=all) | ${g.rps} (${g.rpsSpread}) | ${g.p50} | ${g.p99} (${g.p99Spread}) | ${g.failures} |

Ratio: **${ratio}%** of baseline (target ≥ 50%: ${pass(ratio >= 50)}); p99 ${g.p99} ms (target < 50 ms: ${pass(g.p99 < 50)}).

## 6. Memory

Peak RSS of the ingest process during the load above: **${ingestRss} MB** (target < 250 MB: ${pass(ingestRss < 250)}). It includes the
embedded chDB engine, which ingest opens for run lookups and token checks.

${ratio >= 50 && g.p99 < 50 ? '' : `### Why the ingest target is missed, and what would close it

Likely causes, not yet separated by measurement (the next step is a profile of the ingest process under this load):

- The broker (a JVM), the load generator and the app share 2 cores; the baseline does no Kafka work, so the broker's CPU
  is charged to ingest alone. A broker on its own host would take that share back.
- class-validator through ValidationPipe was measured at ~60% of NestJS's throughput on this machine (shared/FACTS.md);
  Fastify's compiled JSON-schema validation is nearly free. The hot PATCH route could validate with a compiled schema
  generated from the same DTO metadata, keeping class-validator as the source of truth.
- Every PATCH runs the scrubbing rules over its text and waits for an acks=all round trip; concurrent requests already
  share one send (group commit), and a producer linger of 1-2 ms would make the batches larger at a small latency cost.
`}${ingestRss < 250 ? '' : `
### Why the memory target is missed, and what would close it

The ingest process embeds chDB (measured ~290 MB for an open session, shared/FACTS.md) to look up runs and tokens. With a
ClickHouse server (\`CLICKHOUSE_URL\`) ingest talks HTTP and the engine leaves its process; on the embedded default, run and
token lookups could be served to ingest by the process that owns chDB instead of opening it twice.
`}
## Not measured yet

Materializer throughput (2), freshness (3), query latency at 10 M runs / 100 M executions (4),
the PostgreSQL peer (5), query-app memory (6) and growth (7) are not implemented yet (issue 6).
`;
    writeFileSync(join(ROOT, quick ? 'BENCHMARKS.quick.md' : 'BENCHMARKS.md'), report);
    console.log(report);
  } finally {
    for (const stop of stops) {
      try {
        stop();
      } catch (error) {
        console.error(error);
      }
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
