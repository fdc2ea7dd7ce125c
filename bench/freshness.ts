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
/** Issue 16's second load level: p95 < 1 s at 5,000 events/s. */
const HIGH_RATE = 5000;
const HIGH_TARGET_P95_MS = 1000;
const PROBE_GAP_MS = 200;
const POLL_MS = 25;

export interface FreshnessResult extends FreshnessLevel {
  /** The same at HIGH_RATE (absent in runs before 2026-11-26). */
  high?: FreshnessLevel;
}

export interface FreshnessLevel {
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

/** The steady background of sections 3 and feed: `rate` PATCHes/s over 50 connections, rotating over `runs`, for `seconds`. */
export function steadyPatchLoad(ingestUrl: string, headers: Record<string, string>, runs: string[], seconds: number, rate = RATE): Promise<Load> {
  return load({
    url: ingestUrl,
    paths: runs.map((id) => `/api/elt/runs/${id}`),
    method: 'PATCH',
    body: PATCH_BODY,
    headers,
    connections: 50,
    seconds,
    rate,
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
  const level = await measureFreshness(ctx, RATE);
  return { ...level, high: await measureFreshness(ctx, HIGH_RATE) };
}

/** One fresh `npm start` system under `rate` PATCHes/s, probed every PROBE_GAP_MS. */
async function measureFreshness(ctx: BenchContext, rate: number): Promise<FreshnessLevel> {
  const seconds = ctx.quick ? 15 : 45;
  const { ingestUrl, queryUrl, token, ...system } = await startLocalSystem(ctx, 'fresh', { KAFKA_TOPIC_PREFIX: `fbench${rate}.` });
  try {
    const headers = { authorization: `Bearer ${token}` };
    const loadRuns = await createRuns(ingestUrl, headers, 200, 'proj_fresh');
    const [probeRun] = await createRuns(ingestUrl, headers, 1, 'proj_fresh');
    const background = steadyPatchLoad(ingestUrl, headers, loadRuns, seconds, rate);
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
  const levels: [number, number, FreshnessLevel][] = [
    [RATE, TARGET_P95_MS, f],
    ...(f.high ? [[HIGH_RATE, HIGH_TARGET_P95_MS, f.high] as [number, number, FreshnessLevel]] : []),
  ];
  /** A level counts only if the load reached it: below 90% of the asked rate the system, not the probe, is the limit. */
  const reached = (rate: number, level: FreshnessLevel) => level.load.rps >= rate * 0.9;
  const verdict = (rate: number, target: number, level: FreshnessLevel) =>
    reached(rate, level) ? pass(level.p95 < target) : `**missed**: the load reached ${level.load.rps} req/s`;
  const missed = levels.some(([rate, target, level]) => !reached(rate, level) || level.p95 >= target);
  return `## 3. Freshness: PATCH to visible in the read API

The whole system as \`npm start\` runs it (ingest, materializer and query in one process on embedded chDB) under a steady
load of PATCHes from autocannon (each one event), a fresh system per load level. A probe PATCHes one run's
\`telemetrySummary.probe\` to a new value every ${PROBE_GAP_MS} ms and polls \`GET /api/elt/runs/:id\` on the query API every
${POLL_MS} ms until that value shows; the time is from sending the PATCH.

| load: asked (achieved, non-2xx + errors, p99) | probes | p50 ms | p95 ms | max ms | the probe PATCH's own answer (Kafka ack): p50 / p95 ms | p95 target |
|---|---|---|---|---|---|---|
${levels
  .map(
    ([rate, target, l]) =>
      `| ${rate.toLocaleString('en')}/s (${l.load.rps} req/s, ${l.load.non2xx + l.load.errors}, ${l.load.p99} ms) | ${l.probes} | ${l.p50} | ${l.p95} | ${l.max} | ${l.ackP50} / ${l.ackP95} | < ${target.toLocaleString('en')} ms: ${verdict(rate, target, l)} |`,
  )
  .join('\n')}

Peak RSS of that one process (three apps and chDB) at ${RATE.toLocaleString('en')}/s: ${f.rssMb} MB${f.high ? `; at ${HIGH_RATE.toLocaleString('en')}/s: ${f.high.rssMb} MB` : ''}.
Done for issue 16: the materializer's flush interval counts from the previous flush's start, so events fetched after a
flush no longer wait a whole interval more (before it, p95 was 830 ms at 1,000/s), and its JavaScript per event is a
quarter of what it was (section 2). Since 2026-11-26 the three apps' statements run side by side on chDB sessions of their own
(CLICKHOUSE_EMBEDDED_SESSIONS); before, chDB ran every statement of the process one at a time. The level's verdict moves
with the hour: on 2026-11-26 (evening), when the machine ran about twice as slow for everything (the concurrency section
says how), the first level reached 953 req/s with p95 534 ms; on 2026-11-27, in an hour when a chDB \`SELECT 1\` through
the client took ~1.5 ms (2–3.5 ms in the slow hour), 982 req/s with p95 465 ms.
${
  !missed
    ? ''
    : `
### Why a freshness target is missed, and what would close it

At 5,000 PATCHes/s the miss is throughput before freshness: \`npm start\` runs ingest, the materializer and the query app
in one process on embedded chDB, and on these 2 cores, shared with the broker and the load generator, that process answers
${f.high ? f.high.load.rps.toLocaleString('en') : 'fewer than 5,000'} PATCHes/s (the achieved rate above: the load's 50 connections send their next PATCH as
each is answered, so it runs at what the process answers). At the rate it reached, the probes still saw their PATCHes
within the target. No build of this design reaches 5,000/s on this machine: the materializer alone drains ~6,600
events/s with both cores busy (section 2) and ingest alone answers ~7,800 PATCHes/s with the broker (section 1), so
5,000 of each per second asks for 5,000/6,600 + 5,000/7,800 ≈ 1.4 of the machine before the query app and the load
generator run.

On the embedded default the apps share one process and one event loop (chDB binds its directory to one process), and
that process shares the 2 cores with the broker and the load generator; the background load's own p99 shows how busy the
loop is. The probe's own PATCH is answered quickly (the ack column); the rest is the wait for the materializer, whose
flushes (a state read and seven inserts in chDB) queue behind the ingest work in the same loop and the engine's insert
work on the same cores (section 2). With a ClickHouse server (\`CLICKHOUSE_URL\`) each app runs in its own process and the
engine's inserts leave this host.
`
}`;
}
