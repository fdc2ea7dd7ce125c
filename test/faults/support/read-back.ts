import { setTimeout as sleep } from 'node:timers/promises';

export interface ServedRunStats {
  total_runs: number;
  successful_runs: number;
  failed_runs: number;
}

export interface ServedExecution {
  id: string;
  job_run_id: string;
  model_name: string;
  status: string;
}

export interface ServedModelStats {
  model_name: string;
  total_executions: number;
  successful_executions: number;
  failed_executions: number;
}

/** What the read API serves for one project, fetched in full. */
export interface ReadBack {
  /** Run id → status, from every page of the runs list. */
  runs: Map<string, string>;
  runsTotal: number;
  runStats: ServedRunStats;
  /** Run id → messages of its log (GET /api/elt/runs/:id), oldest first. */
  logs: Map<string, string[]>;
  executions: ServedExecution[];
  executionsTotal: number;
  modelStats: ServedModelStats[];
}

const PAGE = 500;

/** GET with the patience a client owes an overloaded server: 429/503 and resets are retried. */
async function getJson<T>(url: string, token: string, timeoutMs = 30_000): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    let failure: string;
    try {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
      if (response.ok) return (await response.json()) as T;
      failure = `${response.status} ${await response.text()}`;
      if (![429, 503].includes(response.status)) throw new Error(`GET ${url}: ${failure}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('GET ')) throw error;
      failure = String(error);
    }
    if (Date.now() > giveUpAt) throw new Error(`GET ${url}: ${failure}`);
    await sleep(200);
  }
}

async function allPages<T, P extends { total: number }>(
  url: (page: number) => string,
  token: string,
  items: (page: P) => T[],
): Promise<{ items: T[]; first: P }> {
  const first = await getJson<P>(url(1), token);
  const all = [...items(first)];
  for (let page = 2; (page - 1) * PAGE < first.total; page += 1) all.push(...items(await getJson<P>(url(page), token)));
  return { items: all, first };
}

export async function readBack(queryUrl: string, token: string, projectId: string): Promise<ReadBack> {
  const project = `${queryUrl}/api/v1/projects/${encodeURIComponent(projectId)}`;
  type RunsPage = { total: number; runs: { id: string; status: string }[]; stats: ServedRunStats };
  const runs = await allPages<RunsPage['runs'][number], RunsPage>(
    (page) => `${project}/runs?limit=${PAGE}&page=${page}&include_stats=true`,
    token,
    (p) => p.runs,
  );
  type ExecutionsPage = { total: number; executions: ServedExecution[] };
  const executions = await allPages<ServedExecution, ExecutionsPage>(
    (page) => `${project}/model-executions?limit=${PAGE}&page=${page}`,
    token,
    (p) => p.executions,
  );
  const modelStats = await getJson<{ stats: ServedModelStats[] }>(`${project}/model-executions/stats`, token);
  const logs = new Map<string, string[]>();
  const ids = runs.items.map((run) => run.id);
  // A few at a time: the read app bounds its concurrent ClickHouse work and would answer 503.
  for (let i = 0; i < ids.length; i += 4) {
    await Promise.all(
      ids.slice(i, i + 4).map(async (id) => {
        const run = await getJson<{ logEntries: { message: string }[] }>(`${queryUrl}/api/elt/runs/${id}`, token);
        logs.set(
          id,
          run.logEntries.map((entry) => entry.message),
        );
      }),
    );
  }
  return {
    runs: new Map(runs.items.map((run) => [run.id, run.status])),
    runsTotal: runs.first.total,
    runStats: runs.first.stats,
    logs,
    executions: executions.items,
    executionsTotal: executions.first.total,
    modelStats: modelStats.stats,
  };
}
