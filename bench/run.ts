/**
 * `npm run bench [-- --quick]`: measures hot paths against baselines measured in the same run
 * and writes BENCHMARKS.md. Targets live here, never in tests.
 *
 * Implemented so far (issue 6 is in progress):
 *   1. Ingest: PATCH req/s and p50/p99 at 50 connections, acked by Kafka, against a bare
 *      Fastify server parsing the same body. Target: >= 50% of baseline, p99 < 50 ms.
 *   2. Materializer: events/s from a pre-filled topic to rows committed in ClickHouse, against
 *      inserting the same rows directly with @clickhouse/client (10 k rows per insert).
 *      Target: >= 50% of baseline.
 *   6. Memory: peak RSS of the ingest and materializer processes under load. Target: < 250 MB.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { encodeEvent } from '@runstream/events';
import { createKafka, ensureTopics, KafkajsPublisher } from '@runstream/kafka';
import { spawn } from 'node:child_process';
import { EVENTS_PER_RUN, runHistory } from './events';
import { median, peakRssMb, ROOT, run, spread, startServer } from './support';

const quick = process.argv.includes('--quick');
const SECONDS = quick ? 3 : 10;
const RUNS = 3;
const CONNECTIONS = 50;
const RUN_IDS = 200;
const KAFKA_PORT = '29092';
/** Runs in the materializer's pre-filled topic (10 events each): 1 M events, 100 k with --quick. */
const MATERIALIZER_RUNS = quick ? 10_000 : 100_000;
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

interface Drain {
  eventsPerSecond: number;
  rssMb: number;
}

/** Fills `<prefix>runs.events.v1` with the generated history, in 5,000-message sends. */
async function prefill(brokers: string, prefix: string): Promise<number> {
  const kafka = createKafka({ brokers: [brokers], clientId: 'bench-prefill' });
  const topic = `${prefix}runs.events.v1`;
  await ensureTopics(kafka, [{ topic, numPartitions: 6 }, { topic: `${prefix}runs.events.dlq.v1`, numPartitions: 6 }]);
  const publisher = new KafkajsPublisher(kafka);
  await publisher.connect();
  let pending: Promise<void>[] = [];
  let batch: { key: string; value: Buffer }[] = [];
  for (let r = 0; r < MATERIALIZER_RUNS; r += 1) {
    for (const event of runHistory(r)) batch.push({ key: event.run_id, value: encodeEvent(event) });
    if (batch.length >= 5000) {
      pending.push(publisher.publish(topic, batch));
      batch = [];
      if (pending.length >= 8) await Promise.all(pending.splice(0));
    }
  }
  pending.push(publisher.publish(topic, batch));
  await Promise.all(pending);
  pending = [];
  await publisher.disconnect();
  return MATERIALIZER_RUNS * EVENTS_PER_RUN;
}

/** One materializer process from start until its group committed every event. */
async function drain(env: NodeJS.ProcessEnv, total: number, attempt: number): Promise<Drain> {
  const groupId = `mbench-${attempt}-${Date.now()}`;
  const chdb = join(ROOT, '.data', `bench-mat-chdb-${attempt}`);
  rmSync(chdb, { recursive: true, force: true });
  const kafka = createKafka({ brokers: [env.KAFKA_BROKERS ?? ''], clientId: 'bench-watch' });
  const admin = kafka.admin();
  await admin.connect();
  const started = Date.now();
  const child = spawn(process.execPath, [join(DIST, 'apps', 'materializer', 'src', 'main.js')], {
    env: { ...env, CLICKHOUSE_PATH: chdb, MATERIALIZER_GROUP_ID: groupId, MATERIALIZER_METRICS_PORT: '0', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  let rssMb = 0;
  try {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      rssMb = Math.max(rssMb, peakRssMb(child.pid ?? 0));
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [`${env.KAFKA_TOPIC_PREFIX}runs.events.v1`] }).catch(() => [{ partitions: [] as { offset: string }[] }]);
      const committed = offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      if (committed >= total) break;
      if (child.exitCode !== null) throw new Error(`materializer exited with ${child.exitCode}`);
    }
    return { eventsPerSecond: Math.round((total * 1000) / (Date.now() - started)), rssMb };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    await admin.disconnect();
    rmSync(chdb, { recursive: true, force: true });
  }
}

async function directInsert(attempt: number): Promise<number> {
  const chdb = join(ROOT, '.data', `bench-direct-chdb-${attempt}`);
  rmSync(chdb, { recursive: true, force: true });
  const out = JSON.parse(await run(process.execPath, [join(DIST, 'bench', 'direct-insert.js'), String(MATERIALIZER_RUNS), chdb], { ...process.env, TZ: 'UTC' })) as { events: number; ms: number };
  rmSync(chdb, { recursive: true, force: true });
  return Math.round((out.events * 1000) / out.ms);
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
    ingest.child.kill('SIGTERM');

    const materializerEnv = { ...env, KAFKA_TOPIC_PREFIX: 'mbench.', KAFKA_TOPIC_PARTITIONS: '6' };
    const total = await prefill(materializerEnv.KAFKA_BROKERS, 'mbench.');
    console.log(`pre-filled ${total} events`);
    const drains: Drain[] = [];
    const directs: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      drains.push(await drain(materializerEnv, total, i));
      directs.push(await directInsert(i));
      console.log(`run ${i + 1}: materializer ${drains[i].eventsPerSecond} events/s, direct inserts ${directs[i]} events/s`);
    }
    const m = { eps: median(drains.map((d) => d.eventsPerSecond)), spread: spread(drains.map((d) => d.eventsPerSecond)), rss: Math.max(...drains.map((d) => d.rssMb)) };
    const direct = { eps: median(directs), spread: spread(directs) };
    const materializerRatio = Math.round((m.eps / direct.eps) * 100);
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

## 2. Materializer: pre-filled topic to committed rows

${total.toLocaleString('en')} events (${MATERIALIZER_RUNS.toLocaleString('en')} runs × ${EVENTS_PER_RUN}: create, running, 6 progress PATCHes with a log line and a sample,
5 model executions, success) on 6 partitions. The materializer process is timed from its start (including start-up and
the consumer group join) until its group has committed every event. The baseline folds the same history in memory
(untimed) and times only inserting the resulting rows into the same tables, 10,000 rows per insert.

| | events/s (spread) |
|---|---|
| baseline: the same rows inserted directly with @clickhouse/client | ${direct.eps} (${direct.spread}) |
| materializer: consume, decode, read state, fold, insert, commit | ${m.eps} (${m.spread}) |

Ratio: **${materializerRatio}%** of baseline (target ≥ 50%: ${pass(materializerRatio >= 50)}).
${materializerRatio >= 50 ? '' : `
### Why the materializer target is missed, and what would close it

Likely causes, not yet separated by measurement (next: a profile of the materializer while draining):

- Measured and ruled out: the per-flush read of run states (\`runs FINAL\` by key). A per-member state cache that skipped
  it left the ratio at 41% (9,060 vs 22,331 events/s) and raised peak RSS to 1,229 MB, so it was not kept.
- A flush writes six tables one insert each, and chDB serializes calls with a fixed cost per call (shared/FACTS.md), so
  flushes bounded by fetch size pay that cost often; larger flushes (more bytes in flight) amortize it.
- The timing includes process start-up and the consumer-group join, which the baseline does not pay.
`}
## 6. Memory

Peak RSS of the ingest process during the load above: **${ingestRss} MB** (target < 250 MB: ${pass(ingestRss < 250)}). It includes the
embedded chDB engine, which ingest opens for run lookups and token checks.
Peak RSS of the materializer process while draining: **${m.rss} MB** (target < 250 MB: ${pass(m.rss < 250)}). It embeds chDB too
(~290 MB for an open session), holds up to MATERIALIZER_MAX_BYTES_IN_FLIGHT (16 MiB) of fetched messages, and chDB uses
memory of its own while inserting; with \`CLICKHOUSE_URL\` the engine would leave the process.

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

Freshness (3), query latency at 10 M runs / 100 M executions (4),
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
