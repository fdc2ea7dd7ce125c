/**
 * 3. Freshness: PATCH → visible in the query API, under a steady 1,000 events/s of other
 *    PATCHes. Target (issue 16): p95 < 500 ms. Runs the whole system as `npm start` does (embedded chDB, all
 *    three apps in one process), against the bench broker.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BenchContext, compiled, pass, scratch } from './context';
import { createRuns, Load, load, PATCH_BODY } from './ingest';
import { peakRssMb, percentile, startServer } from './support';

/** The steady write load's rate, PATCHes per second (also the feed section's). */
export const RATE = 1000;
const TARGET_P95_MS = 500;
const PROBE_GAP_MS = 200;
const POLL_MS = 25;

export interface FreshnessResult {
  probes: number;
  p50: number;
  p95: number;
  max: number;
  /** The probe PATCH's own answer time (Kafka ack included), part of the total. */
  ackP50: number;
  ackP95: number;
  load: Load;
  rssMb: number;
}

/** The steady background of sections 3 and feed: RATE PATCHes/s over 50 connections, rotating over `runs`, for `seconds`. */
export function steadyPatchLoad(ingestUrl: string, headers: Record<string, string>, runs: string[], seconds: number): Promise<Load> {
  return load({
    url: ingestUrl,
    paths: runs.map((id) => `/api/elt/runs/${id}`),
    method: 'PATCH',
    body: PATCH_BODY,
    headers,
    connections: 50,
    seconds,
    rate: RATE,
  });
}

/** The whole system as `npm start` runs it, on a scratch engine directory: its URLs, the local user token, and how to stop it. */
export interface LocalSystem {
  ingestUrl: string;
  queryUrl: string;
  token: string;
  peakRssMb(): number;
  /** SIGTERM, wait for the exit, remove the scratch directory. */
  stop(): Promise<void>;
}

export async function startLocalSystem(ctx: BenchContext, name: string, env: NodeJS.ProcessEnv): Promise<LocalSystem> {
  const dir = scratch(name);
  rmSync(dir, { recursive: true, force: true });
  const system = await startServer(
    process.execPath,
    [compiled('scripts', 'local')],
    { ...ctx.env, CLICKHOUSE_PATH: join(dir, 'chdb'), PORT: '0', QUERY_PORT: '0', MATERIALIZER_METRICS_PORT: '0', ...env },
    /query \(read API\):\s+(http:\/\/127\.0\.0\.1:\d+)[\s\S]*user token \(org \w+\): (rst_[\w-]+)/,
  );
  return {
    ingestUrl: /ingest \(write API\): (http:\/\/127\.0\.0\.1:\d+)/.exec(system.output())?.[1] ?? '',
    queryUrl: system.match[1],
    token: system.match[2],
    peakRssMb: () => peakRssMb(system.child.pid ?? 0),
    stop: async () => {
      const exited = new Promise((resolve) => system.child.once('exit', resolve));
      system.child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitVisible(queryUrl: string, headers: Record<string, string>, runId: string, probe: number): Promise<void> {
  for (;;) {
    const response = await fetch(`${queryUrl}/api/elt/runs/${runId}`, { headers });
    if (response.ok) {
      const run = (await response.json()) as { telemetry: { summary: { probe?: number } } };
      if (run.telemetry.summary.probe === probe) return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function benchFreshness(ctx: BenchContext): Promise<FreshnessResult> {
  const seconds = ctx.quick ? 15 : 45;
  const { ingestUrl, queryUrl, token, ...system } = await startLocalSystem(ctx, 'fresh', { KAFKA_TOPIC_PREFIX: 'fbench.' });
  try {
    const headers = { authorization: `Bearer ${token}` };
    const loadRuns = await createRuns(ingestUrl, headers, 200, 'proj_fresh');
    const [probeRun] = await createRuns(ingestUrl, headers, 1, 'proj_fresh');
    const background = steadyPatchLoad(ingestUrl, headers, loadRuns, seconds);
    const deadline = Date.now() + (seconds - 2) * 1000;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const latencies: number[] = [];
    const acks: number[] = [];
    for (let probe = 1; Date.now() < deadline; probe += 1) {
      const sent = performance.now();
      const response = await fetch(`${ingestUrl}/api/elt/runs/${probeRun}`, {
        method: 'PATCH',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ telemetrySummary: { probe } }),
      });
      if (!response.ok) throw new Error(`probe PATCH answered ${response.status}: ${await response.text()}`);
      acks.push(performance.now() - sent);
      await waitVisible(queryUrl, headers, probeRun, probe);
      latencies.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, PROBE_GAP_MS));
    }
    const loaded = await background;
    const round = (ms: number) => Math.round(ms);
    return {
      probes: latencies.length,
      p50: round(percentile(latencies, 0.5)),
      p95: round(percentile(latencies, 0.95)),
      max: round(Math.max(...latencies)),
      ackP50: round(percentile(acks, 0.5)),
      ackP95: round(percentile(acks, 0.95)),
      load: loaded,
      rssMb: system.peakRssMb(),
    };
  } finally {
    await system.stop();
  }
}

export function freshnessReport(f: FreshnessResult): string {
  return `## 3. Freshness: PATCH to visible in the read API

The whole system as \`npm start\` runs it (ingest, materializer and query in one process on embedded chDB) under a steady
${RATE.toLocaleString('en')} PATCHes/s (each one event; achieved: ${f.load.rps} req/s, ${f.load.non2xx + f.load.errors} non-2xx or errors, p99 ${f.load.p99} ms) from
autocannon. A probe PATCHes one run's \`telemetrySummary.probe\` to a new value every ${PROBE_GAP_MS} ms and polls
\`GET /api/elt/runs/:id\` on the query API every ${POLL_MS} ms until that value shows; the time is from sending the PATCH.

| probes | p50 ms | p95 ms | max ms | of which the PATCH's own answer (Kafka ack): p50 / p95 ms |
|---|---|---|---|---|
| ${f.probes} | ${f.p50} | ${f.p95} | ${f.max} | ${f.ackP50} / ${f.ackP95} |

p95 ${f.p95} ms (target < ${TARGET_P95_MS} ms: ${pass(f.p95 < TARGET_P95_MS)}). Peak RSS of that one process (three apps and chDB): ${f.rssMb} MB.
${
  f.p95 < TARGET_P95_MS
    ? ''
    : `
### Why the freshness target is missed, and what would close it

On the embedded default the three apps share one process and one event loop (chDB binds its directory to one process), and
that process shares the 2 cores with the broker and the load generator. The background load's own p99 (${f.load.p99} ms) shows
the event loop is saturated. The probe's own PATCH is answered quickly (p50 ${f.ackP50} ms, Kafka ack included); the rest is the
wait for the materializer, whose flushes (state reads and six inserts, serialized in chDB) queue behind the ingest work
and the probes' reads in the same loop. A flush interval of 20 ms instead of 100 measured no better at --quick scale. With a
ClickHouse server (\`CLICKHOUSE_URL\`) each app runs in its own process, so the materializer's flushes no longer queue
behind ingest requests. Overlapping a flush's planning with the previous flush's writes measured no gain (section 2): the
cores are busy, so what would help is less CPU per event in the same process (section 2's leads) more than more overlap.
`
}`;
}
