/**
 * 4. Query latency: every read-API endpoint, p50/p95 over 50 requests with varied parameters,
 *    over a generated data set of 10 M runs and 100 M model executions (1/10 with --quick).
 *    Targets (issue 16): p95 runs page < 20 ms, daily stats < 30, model-executions page < 30, model stats < 100, org stats < 50.
 * 6. Query memory: peak RSS of the query process under that load. Target: < 250 MB.
 * 7. Growth: the same requests at 1 M, 10 M and 100 M model executions.
 * Reports: queries-report.ts.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { appMain, BenchContext, compiled, scratch } from './context';
import { BI_REQUESTS, BiResult, latencyOf, timeDirect, timeEndpoint } from './bi';
import { modelName, modelsOf, RunSample } from './dataset';
import { benchWeb, WebResult } from './web';
import { measureFloor } from './floor';
import { directoryMb, freeDiskMb, peakRssMb, percentile, ROOT, run, startServer } from './support';

export const QUERY_DATABASE = 'qbench';
export const REQUESTS = 50;
export const WARMUP = 5;
export const DAY_MS = 86_400_000;
/** Request i's choices, shared with the PostgreSQL peer so both answer the same requests. */
export const DAILY_DAYS = [7, 30, 90, 365];
/** Stats windows in days; 0 is all-time. */
export const STATS_WINDOW_DAYS = [0, 30, 7];
/** updated_after of the runs page's fourth filter: this many days before the anchor. */
export const UPDATED_AFTER_DAYS = 7;

export interface Generated {
  runs: number;
  executions: number;
  generateMs: number;
  mergeMs: number;
  tokens: Record<string, string>;
  samples: RunSample[];
}

/** Deterministic parameter choices (mulberry32), so every size gets the same request mix. */
export function chooser(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface Endpoint {
  name: string;
  /** The path of request `i` for run sample `s`; `pick(n)` draws in [0, n). */
  path: (s: RunSample, i: number, pick: (n: number) => number, anchor: number) => string;
  /** p95 target in ms, when the issue sets one. */
  target?: number;
}

/** The org stats request's window and buckets for request i (the peer answers the same ones). */
export function orgStatsWindow(i: number): { hours: number; granularity: 'hourly' | 'daily' } {
  const windows = [
    { hours: 24, granularity: 'hourly' },
    { hours: 168, granularity: 'hourly' },
    { hours: 720, granularity: 'daily' },
    { hours: 2160, granularity: 'daily' },
  ] as const;
  return windows[i % windows.length];
}

export const ENDPOINTS: Endpoint[] = [
  {
    name: 'runs page',
    target: 20,
    path: (s, i, pick, anchor) => {
      const filter = [
        ``,
        `&status=failed`,
        `&cronjob_name=${s.cronjob_name}`,
        `&updated_after=${new Date(anchor - UPDATED_AFTER_DAYS * DAY_MS).toISOString()}`,
      ][i % 4];
      return `/api/v1/projects/${s.project_id}/runs?page=${1 + pick(3)}&limit=50${filter}`;
    },
  },
  {
    name: 'runs daily-stats',
    target: 30,
    path: (s, i) =>
      `/api/v1/projects/${s.project_id}/runs/daily-stats?days=${DAILY_DAYS[i % DAILY_DAYS.length]}${i % 2 ? `&cronjob_name=${s.cronjob_name}` : ''}`,
  },
  {
    name: 'model-executions page',
    target: 30,
    path: (s, i, pick) =>
      `/api/v1/projects/${s.project_id}/model-executions?page=${1 + pick(3)}&limit=100${i % 2 ? `&model_name=${modelName(pick(modelsOf(s.project_id)))}` : ''}`,
  },
  {
    name: 'model stats (all models)',
    target: 100,
    path: (s, i, _pick, anchor) => `/api/v1/projects/${s.project_id}/model-executions/stats${window(i, anchor)}`,
  },
  {
    name: 'model stats (one model)',
    target: 100,
    path: (s, i, pick, anchor) => `/api/v1/projects/${s.project_id}/model-executions/stats/${modelName(pick(modelsOf(s.project_id)))}${window(i, anchor)}`,
  },
  { name: 'run (v1)', path: (s) => `/api/v1/runs/${s.id}` },
  { name: 'run logs', path: (s) => `/api/v1/runs/${s.id}/logs` },
  { name: 'run (write-API shape)', path: (s) => `/api/elt/runs/${s.id}` },
  {
    name: 'org executions stats',
    target: 50,
    path: (_s, i, _pick, anchor) => {
      const { hours, granularity } = orgStatsWindow(i);
      return `/v1/executions/stats?from=${anchor - hours * 3_600_000}&to=${anchor}&granularity=${granularity}`;
    },
  },
];

/** All-time, the last 30 days or the last 7 (start_date/end_date, inclusive UTC dates). */
function window(i: number, anchor: number): string {
  const days = STATS_WINDOW_DAYS[i % STATS_WINDOW_DAYS.length];
  return days ? `?start_date=${isoDay(anchor - (days - 1) * DAY_MS)}&end_date=${isoDay(anchor)}` : '';
}

export interface Latency {
  p50: number;
  p95: number;
  max: number;
}

/** p50, p95 and max of measured times, to 0.1 ms. */
export function summarizeLatencies(times: number[]): Latency {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { p50: round(percentile(times, 0.5)), p95: round(percentile(times, 0.95)), max: round(Math.max(...times)) };
}

/** The parameter draws and run samples of an endpoint's requests (the peer replays the same ones). */
export function requestDraws(endpointIndex: number, samples: RunSample[]): { pick: (n: number) => number; sample: (i: number) => RunSample } {
  return { pick: chooser(endpointIndex + 1), sample: (i) => samples[(i * 7 + endpointIndex) % samples.length] };
}

export interface SizeResult {
  runs: number;
  executions: number;
  generateMs: number;
  mergeMs: number;
  latencies: Record<string, Latency>;
  rssMb: number;
  /** The data set's size in chDB, and the disk left beside it (absent in runs before 2026-11-26). */
  diskMb?: number;
  freeDiskMb?: number;
}

export interface QueryResult {
  sizes: SizeResult[];
  anchor: number;
  /** The data set of the largest size, still on disk for the PostgreSQL peer. */
  path: string;
  samples: RunSample[];
  /** The BI SQL endpoint against chDB directly, on the largest size (absent in older runs). */
  bi?: BiResult;
  /** The web app's page loads on the largest size, and its bundle (absent in older runs). */
  web?: WebResult;
  /** Fastify + token check + one chDB SELECT by key, over run (v1)'s requests on the largest size (absent in older runs). */
  floor?: Latency;
  /** The floor's p50 in each of its measurements, before and after the query app ran (absent in older runs); `floor` is the lower. */
  floorP50s?: number[];
}

/** One size of the data set, on disk at `path` and free (no process holds it) while `afterStep` runs. */
export interface DataStep {
  path: string;
  database: string;
  runs: number;
  executions: number;
  samples: RunSample[];
}

/** Client-side times of an endpoint's measured requests (after the warm-up), drawn as endpoint `drawIndex`'s are. */
export async function timeRequests(
  url: string,
  tokens: Record<string, string>,
  samples: RunSample[],
  anchor: number,
  endpoint: Endpoint,
  drawIndex: number,
): Promise<number[]> {
  const { pick, sample: sampleOf } = requestDraws(drawIndex, samples);
  const times: number[] = [];
  for (let i = 0; i < WARMUP + REQUESTS; i += 1) {
    const sample = sampleOf(i);
    const path = endpoint.path(sample, i, pick, anchor);
    const headers = { authorization: `Bearer ${tokens[sample.org_id]}`, 'x-organization-id': sample.org_id };
    const started = performance.now();
    const response = await fetch(`${url}${path}`, { headers });
    const body = await response.text();
    const ms = performance.now() - started;
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${body.slice(0, 300)}`);
    if (i >= WARMUP) times.push(ms);
  }
  return times;
}

async function measure(url: string, tokens: Record<string, string>, samples: RunSample[], anchor: number): Promise<Record<string, Latency>> {
  const latencies: Record<string, Latency> = {};
  for (const [index, endpoint] of ENDPOINTS.entries()) {
    latencies[endpoint.name] = summarizeLatencies(await timeRequests(url, tokens, samples, anchor, endpoint, index));
    console.log(`  ${endpoint.name}: p50 ${latencies[endpoint.name].p50} ms, p95 ${latencies[endpoint.name].p95} ms`);
  }
  return latencies;
}

/**
 * `afterStep` (the PostgreSQL peer's export) runs after each size is measured, while the data
 * is that size and no process holds it.
 */
export async function benchQueries(ctx: BenchContext, afterStep?: (step: DataStep) => Promise<void>): Promise<QueryResult> {
  const runSteps = ctx.quick ? [10_000, 100_000, 1_000_000] : [100_000, 1_000_000, 10_000_000];
  const path = scratch('query-chdb');
  rmSync(path, { recursive: true, force: true });
  const anchor = Date.now();
  const sizes: SizeResult[] = [];
  let tokens: Record<string, string> = {};
  let samples: RunSample[] = [];
  let from = 0;
  let bi: BiResult | undefined;
  let web: WebResult | undefined;
  const floors: Latency[] = [];
  for (const to of runSteps) {
    const args = [compiled('bench', 'generate'), 'grow', path, QUERY_DATABASE, String(from), String(to), String(anchor)];
    const generated = JSON.parse(await run(process.execPath, args, ctx.env)) as Generated;
    if (from === 0) tokens = generated.tokens;
    samples = generated.samples;
    from = to;
    console.log(
      `query data set: ${generated.runs} runs, ${generated.executions} executions (generated in ${generated.generateMs} ms, merged in ${generated.mergeMs} ms)`,
    );
    const env = { ...ctx.env, CLICKHOUSE_PATH: path, CLICKHOUSE_DATABASE: QUERY_DATABASE, PORT: '0', QUERY_SQL_PORT: '0' };
    const largest = to === runSteps[runSteps.length - 1];
    // Measured on each side of the app's requests: one measurement alone moved by half between runs (7.4, then 11.7 ms).
    if (largest) floors.push(await measureFloor(env, tokens, samples, anchor));
    const query = await startServer(process.execPath, [appMain('query')], env, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    // Logged before "listening on", so still in the output kept at start.
    const sqlUrl = /SQL endpoint for BI tools on (http:\/\/127\.0\.0\.1:\d+)/.exec(query.output())?.[1];
    let endpointTimes: number[] = [];
    try {
      const latencies = await measure(query.match[1], tokens, samples, anchor);
      if (largest && sqlUrl) endpointTimes = await timeEndpoint(sqlUrl, tokens, samples);
      if (largest) web = await benchWeb(query.match[1], tokens, samples, generated.runs, join(ROOT, 'dist', 'web'));
      sizes.push({
        runs: generated.runs,
        executions: generated.executions,
        generateMs: generated.generateMs,
        mergeMs: generated.mergeMs,
        latencies,
        rssMb: peakRssMb(query.child.pid ?? 0),
        diskMb: directoryMb(path),
        freeDiskMb: freeDiskMb(path),
      });
    } finally {
      const exited = new Promise((resolve) => query.child.once('exit', resolve));
      query.child.kill('SIGTERM');
      await exited;
    }
    if (endpointTimes.length > 0) {
      const direct = latencyOf(await timeDirect(path, QUERY_DATABASE, samples, ctx.env));
      const endpoint = latencyOf(endpointTimes);
      bi = { endpoint, direct, ratio: Math.round((endpoint.p50 / direct.p50) * 10) / 10, requests: BI_REQUESTS };
      console.log(`BI: endpoint p50 ${endpoint.p50} ms, direct p50 ${direct.p50} ms`);
    }
    if (largest) floors.push(await measureFloor(env, tokens, samples, anchor));
    await afterStep?.({ path, database: QUERY_DATABASE, runs: generated.runs, executions: generated.executions, samples });
  }
  // The lower floor: a ratio over it is the stricter one.
  const floor = floors.length === 0 ? undefined : floors.reduce((low, next) => (next.p50 < low.p50 ? next : low));
  return { sizes, anchor, path, samples, bi, web, floor, floorP50s: floors.map((f) => f.p50) };
}
