/**
 * Concurrency: the query app under 1, 4, 16 and 64 concurrent clients (autocannon in its own
 * process), on the query benchmark's largest data set: one run every client polls, runs each read
 * once (what the engine costs uncached), and the query mix of section 4. Target (issue 16): one
 * run at 16 clients at least 10× the uncached throughput, p95 < 50 ms. The PostgreSQL peer, when the
 * runner has it up and loaded with the same data set, answers the same query mix from a pool of as
 * many connections (target: ours at 16 clients >= 50% of its throughput).
 */
import { BenchContext, appMain, compiled, pass } from './context';
import type { ReadLoad, ReadLoadOptions } from './concurrency-load';
import { ORGS, PROJECTS } from './dataset';
import { ENDPOINTS, QUERY_DATABASE, QueryResult, REQUESTS, requestDraws } from './queries';
import { peerLoad } from './concurrency-peer';
import { peerRequests } from './peer';
import { peerQueryOf } from './peer-queries';
import type { PeerServer } from './peer-server';
import { run, startServer } from './support';

export const CLIENTS = [1, 4, 16, 64];
const WORKLOADS = ['one run', 'runs read once', 'query mix', 'query mix, PostgreSQL'] as const;
type Workload = (typeof WORKLOADS)[number];
const PEER_MIX = 'query mix, PostgreSQL' as const;
/** Ours at 16 clients against PostgreSQL's throughput on the same mix. */
const PEER_SHARE_TARGET = 0.5;

export interface ConcurrencyResult {
  runs: number;
  seconds: number;
  /** Distinct runs the uncached workload had; more requests than this would have hit the cache. */
  distinctRuns: number;
  /** The PostgreSQL row is absent when the peer was not up (and in older runs). */
  loads: Partial<Record<Workload, Record<number, ReadLoad>>> & Record<Exclude<Workload, typeof PEER_MIX>, Record<number, ReadLoad>>;
}

async function load(options: ReadLoadOptions): Promise<ReadLoad> {
  return JSON.parse(await run(process.execPath, [compiled('bench', 'concurrency-load'), JSON.stringify(options)])) as ReadLoad;
}

/** Projects of `org_<k>` in the generated data set (dataset.ts: project p belongs to org p mod ORGS), largest first. */
function projectsOf(org: string): string[] {
  const k = Number(org.slice('org_'.length));
  return Array.from({ length: PROJECTS / ORGS }, (_, i) => `proj_${k + i * ORGS}`);
}

/**
 * Waits until the query app has worked off what the previous cell left running: autocannon stops
 * sending, but requests already queued behind the engine (the query mix's heavy ones) still hold the
 * read API's gate and would turn the next cell's first requests away. A cached run answers at once
 * only when nothing is queued ahead of it.
 */
async function drained(url: string, headers: Record<string, string>, path: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const started = performance.now();
    const response = await fetch(`${url}${path}`, { headers });
    await response.arrayBuffer();
    if (response.ok && performance.now() - started < 20) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the query app did not drain the previous load within 60 s');
}

/** Run ids of the organisation's projects, from their runs pages, none of them read by id yet. */
async function distinctRuns(url: string, headers: Record<string, string>, projects: string[], wanted: number): Promise<string[]> {
  const ids = new Set<string>();
  for (const project of projects) {
    for (let page = 1; page <= 10 && ids.size < wanted; page += 1) {
      const response = await fetch(`${url}/api/v1/projects/${project}/runs?limit=500&page=${page}`, { headers });
      const body = (await response.json()) as { runs: { id: string }[] };
      body.runs.forEach((r) => ids.add(r.id));
      if (body.runs.length < 500) break;
    }
  }
  return [...ids];
}

/**
 * Request i of every endpoint in turn, then request i + 1: each endpoint's requests drawn in
 * order from its own draws, as section 4 draws them (so both mixes are the same requests).
 */
function interleaved<T>(perEndpoint: T[][]): T[] {
  return Array.from({ length: REQUESTS }, (_, i) => perEndpoint.map((requests) => requests[i])).flat();
}

/** The query mix's requests as the peer's SQL, in the same order as the mix's paths. */
function peerMix(samples: QueryResult['samples'], anchor: number): ReturnType<typeof peerRequests> {
  return interleaved(ENDPOINTS.map((e) => peerRequests(peerQueryOf(e.name), samples, anchor, REQUESTS)));
}

/** `peer`: the PostgreSQL peer, loaded with the same (largest) data set, when the runner has it up. */
export async function benchConcurrency(ctx: BenchContext, q: QueryResult, peer?: PeerServer): Promise<ConcurrencyResult> {
  const seconds = ctx.quick ? 5 : 10;
  // One organisation, one token: the mix of section 4 restricted to its sampled runs. org_0 holds the largest project.
  const org = q.samples.some((s) => s.org_id === 'org_0') ? 'org_0' : q.samples[0].org_id;
  const samples = q.samples.filter((s) => s.org_id === org);
  const env = { ...ctx.env, CLICKHOUSE_PATH: q.path, CLICKHOUSE_DATABASE: QUERY_DATABASE, PORT: '0', QUERY_SQL_PORT: '0' };
  const created = JSON.parse(await run(process.execPath, [compiled('scripts', 'tokens'), 'create', '--org', org, '--name', 'concurrency'], env)) as {
    token: string;
  };
  const headers = { authorization: `Bearer ${created.token}` };
  const query = await startServer(process.execPath, [appMain('query')], env, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const url = query.match[1];
  try {
    // Each id is read once (the load stops when all were sent), so none of these reads is a cache hit.
    const wanted = 250 * seconds * CLIENTS.length;
    const sampled = new Set(samples.map((s) => s.id));
    const cold = (await distinctRuns(url, headers, projectsOf(org), wanted)).filter((id) => !sampled.has(id));
    const perStep = Math.floor(cold.length / CLIENTS.length);
    const mix = interleaved(
      ENDPOINTS.map((endpoint, e) => {
        const { pick, sample } = requestDraws(e, samples);
        return Array.from({ length: REQUESTS }, (_, i) => endpoint.path(sample(i), i, pick, q.anchor));
      }),
    );
    const loads = { 'one run': {}, 'runs read once': {}, 'query mix': {}, ...(peer ? { [PEER_MIX]: {} } : {}) } as ConcurrencyResult['loads'];
    const sqlMix = peerMix(samples, q.anchor);
    for (const [step, connections] of CLIENTS.entries()) {
      const paths: Record<Workload, string[]> = {
        'one run': [`/api/v1/runs/${samples[0].id}`],
        'runs read once': cold.slice(step * perStep, (step + 1) * perStep).map((id) => `/api/v1/runs/${id}`),
        'query mix': mix,
        [PEER_MIX]: [],
      };
      for (const workload of WORKLOADS) {
        const cells = loads[workload];
        if (!cells) continue;
        await drained(url, headers, paths['one run'][0]);
        const once = workload === 'runs read once';
        cells[connections] =
          workload === PEER_MIX
            ? await poolLoad(peer!, connections, seconds, sqlMix)
            : await load({ url, connections, seconds, headers, paths: paths[workload], once });
        const l = cells[connections];
        console.log(`  ${workload}, ${connections} clients: ${l.rps} req/s, p50 ${l.p50} ms, p95 ${l.p95} ms${l.non2xx ? `, ${l.non2xx} non-2xx` : ''}`);
      }
    }
    return { runs: q.sizes[q.sizes.length - 1].runs, seconds, distinctRuns: cold.length, loads };
  } finally {
    const exited = new Promise((resolve) => query.child.once('exit', resolve));
    query.child.kill('SIGTERM');
    await exited;
  }
}

async function poolLoad(peer: PeerServer, connections: number, seconds: number, requests: ReturnType<typeof peerMix>): Promise<ReadLoad> {
  const pool = peer.pool(connections);
  try {
    return await peerLoad(pool, connections, seconds, requests);
  } finally {
    await pool.end();
  }
}

function peerTarget(r: ConcurrencyResult): string {
  const theirs = r.loads[PEER_MIX]?.[16];
  if (!theirs) return 'The PostgreSQL peer was not up in this run, so its row is missing (run the peer section with this one).\n';
  const share = r.loads['query mix'][16].rps / Math.max(theirs.rps, 1);
  return `Target: query mix at 16 clients: ${Math.round(share * 100)}% of PostgreSQL's throughput (target ≥ ${PEER_SHARE_TARGET * 100}%: ${pass(share >= PEER_SHARE_TARGET)}).\n`;
}

export function concurrencyReport(r: ConcurrencyResult): string {
  const refusals = (l: ReadLoad) =>
    Object.entries(l.refused ?? {})
      .map(([code, n]) => `${n} × ${code}`)
      .join(', ') || `${l.non2xx} non-2xx`;
  const cell = (l: ReadLoad) => `${l.rps} / ${l.p50} / ${l.p95}${l.non2xx ? ` (${refusals(l)})` : ''}`;
  const rows = WORKLOADS.flatMap((w) => {
    const cells = r.loads[w];
    return cells ? [`| ${w} | ${CLIENTS.map((c) => cell(cells[c])).join(' | ')} |`] : [];
  });
  const hot = r.loads['one run'][16];
  const uncached = r.loads['runs read once'][16];
  const once = r.loads['runs read once'];
  const scale = Math.round((once[4].rps / Math.max(once[1].rps, 1)) * 100) / 100;
  const met = hot.rps >= 10 * uncached.rps && hot.p95 < 50;
  return `## Concurrency: 1, 4, 16 and 64 clients on the read API

The query app on the query benchmark's largest data set (${r.runs.toLocaleString('en')} runs), one organisation's token, autocannon in its
own process for ${r.seconds} s per cell; every response's time kept, so percentiles are exact. Cells: req/s / p50 ms / p95 ms.
- **one run**: every client polls the same run (\`GET /api/v1/runs/:id\`), what a dashboard watching a run does.
- **runs read once**: each request a run nobody read before (${r.distinctRuns.toLocaleString('en')} ids from the runs pages), so every one is an
  engine call; the query app runs up to four at once, on chDB sessions of their own (CLICKHOUSE_EMBEDDED_SESSIONS; docs/read-api.md,
  "Concurrency and caching"): from 1 to 4 clients ${once[1].rps} → ${once[4].rps} req/s (${scale}×). Until 2026-11-26 chDB ran every
  statement of a process one at a time, and the run before measured 139 → 132 req/s (0.95×) here, 28 → 30 on the query mix.
- **query mix**: the requests of section 4, every endpoint in turn (restricted to the organisation's sampled runs).
- **query mix, PostgreSQL**: the same requests as the peer's SQL (section 5, bench/peer-queries.ts: every endpoint has its
  equivalent) against the peer's server loaded with the same data set, from a pg.Pool of as many connections as clients, each
  sending its next request as soon as the last answered, for the same ${r.seconds} s; requests in flight at the end are waited for
  and counted over that longer time.

| workload | ${CLIENTS.map((c) => `${c} client${c === 1 ? '' : 's'}`).join(' | ')} |
|---|${CLIENTS.map(() => '---|').join('')}
${rows.join('\n')}

The figures move with the hour, for work with and without the engine, so compare ratios within a run. The run of 2026-11-26
(evening) met a machine about twice as slow as the one before it: one cached run at 1 client 6,183 → 2,205 req/s (no engine
call), PostgreSQL's query mix at 1 client p50 39 → 1,675 ms, the floor 11 → 22 ms; in that hour the previous build and the
next read runs by key equally fast (engine A/B, alternating processes, 3 rounds: 14.1–15.3 against 14.0–15.7 ms p50). The run
of 2026-11-27 (evening, this table) met a fast hour: 4,844 req/s for the cached run at 1 client, PostgreSQL's mix p50 402 ms,
the floor 12.9 ms.

Target: one run at 16 clients at least 10× the uncached reads' throughput with p95 < 50 ms: ${hot.rps} vs ${uncached.rps} req/s
(${Math.round((hot.rps / Math.max(uncached.rps, 1)) * 10) / 10}×), p95 ${hot.p95} ms: ${pass(met)}.
${peerTarget(r)}`;
}
