/**
 * BI access (issue 17): a typical dashboard query (a project's runs and p95 per day, from the
 * `run_daily_stats` view) through the query app's SQL endpoint (HTTP, Basic auth, the engine's
 * checks, the organisation's views) against the same query run directly on chDB, over the query
 * benchmark's data set. One request at a time, after warm-up; the direct runs happen in a process
 * of their own once the query app has stopped (chDB binds a directory to one process).
 */
import { compiled, pass } from './context';
import { RunSample } from './dataset';
import { percentile, run } from './support';

export const BI_WARMUP = 5;
export const BI_REQUESTS = 60;
/** Through the endpoint: the caller's organisation is implied by its credentials. */
export const BI_ENDPOINT_QUERY =
  'SELECT day, sum(total_runs) AS runs, max(p95_duration_seconds) AS p95 FROM run_daily_stats WHERE project_id = {project:String} GROUP BY day ORDER BY day DESC LIMIT 30';
/** Directly: the same view in the app's database, filtered by organisation as the endpoint's views do. */
export const BI_DIRECT_QUERY =
  'SELECT day, sum(total_runs) AS runs, max(p95_duration_seconds) AS p95 FROM {db:Identifier}.run_daily_stats WHERE org_id = {org:String} AND project_id = {project:String} GROUP BY day ORDER BY day DESC LIMIT 30';

export interface BiLatency {
  p50: number;
  p95: number;
}

export interface BiResult {
  endpoint: BiLatency;
  direct: BiLatency;
  /** endpoint p50 / direct p50. */
  ratio: number;
  requests: number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export function latencyOf(times: number[]): BiLatency {
  return { p50: round(percentile(times, 0.5)), p95: round(percentile(times, 0.95)) };
}

/** The requests both sides make: the sample's runs' organisations and projects, in turn. */
export function biTargets(samples: RunSample[]): { org: string; project: string }[] {
  return Array.from({ length: BI_WARMUP + BI_REQUESTS }, (_, i) => samples[i % samples.length]).map((s) => ({ org: s.org_id, project: s.project_id }));
}

/** Client-side times of the dashboard query through the SQL endpoint at `sqlUrl`, warm-up left out. */
export async function timeEndpoint(sqlUrl: string, tokens: Record<string, string>, samples: RunSample[]): Promise<number[]> {
  const times: number[] = [];
  for (const [i, { org, project }] of biTargets(samples).entries()) {
    const url = `${sqlUrl}/?param_project=${encodeURIComponent(project)}`;
    const auth = `Basic ${Buffer.from(`${org}:${tokens[org]}`).toString('base64')}`;
    const started = performance.now();
    const response = await fetch(url, { method: 'POST', headers: { authorization: auth }, body: `${BI_ENDPOINT_QUERY} FORMAT JSONEachRow` });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`the SQL endpoint answered ${response.status}: ${body.slice(0, 300)}`);
    if (i >= BI_WARMUP) times.push(performance.now() - started);
  }
  return times;
}

/** The same queries run directly on chDB by `generate.js bi-direct` (after the query app stopped). */
export async function timeDirect(path: string, database: string, samples: RunSample[], env: NodeJS.ProcessEnv): Promise<number[]> {
  const out = await run(process.execPath, [compiled('bench', 'generate'), 'bi-direct', path, database, JSON.stringify(biTargets(samples))], env);
  return (JSON.parse(out) as { times: number[] }).times.slice(BI_WARMUP);
}

export function biReport(r: BiResult): string {
  return `## BI access: the SQL endpoint against chDB directly (issue 17)

A dashboard query (a project's runs and p95 duration per day over 30 days, from \`run_daily_stats\`) over the query benchmark's
largest data set, ${r.requests} requests one at a time after ${BI_WARMUP} warm-up, projects drawn from the data. Through the endpoint: HTTP,
Basic auth with the organisation and a token, the engine's parse checks (remembered per query text after the first), the
organisation's views. Directly: the same view filtered by organisation, in a process of its own on the same data.

| | p50 ms | p95 ms |
|---|---|---|
| chDB directly | ${r.direct.p50} | ${r.direct.p95} |
| SQL endpoint | ${r.endpoint.p50} | ${r.endpoint.p95} |

Ratio (p50): **${r.ratio}×** (target ≤ 2×: ${pass(r.ratio <= 2)}). The difference is the HTTP round trip, the token check and one engine call
for the organisation's database; the checks themselves are paid once per distinct query text.
`;
}
