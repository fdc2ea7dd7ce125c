import { eventually, http } from '@runstream/testing';
import { bearer, startStack, Stack } from '../support/stack';

/**
 * The server-side checks against the client recipes' checks (reference client-recipes.txt,
 * items 2 and 3), written here from that description and run on the same data.
 */
interface DailyStatsEntry {
  date: string;
  total_runs: number;
  p95_duration_seconds: number | null;
  max_duration_seconds: number | null;
}
interface ModelStatsEntry {
  model_name: string;
  p95_duration_seconds: number | null;
}

/** PostgreSQL percentile_cont: linear interpolation between closest ranks. */
function percentileCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  return sorted[low] + (sorted[Math.ceil(rank)] - sorted[low]) * (rank - low);
}

describe('server-side SLA and regression checks', () => {
  let stack: Stack;
  let user: Record<string, string>;
  const projectId = 'proj_checks';
  const runDurations = [30, 45, 60, 75, 90, 600, 1200, 20, 33.3];
  // Per model: durations in the previous window (Feb 1-7) and the current one (Feb 8-14).
  const models: Record<string, { previous: number[]; current: number[] }> = {
    'm.slower_by_half': { previous: [100, 110, 120, 130], current: [150, 165, 180, 195] },
    'm.slower_by_tenth': { previous: [100, 100, 100], current: [110, 110, 110] },
    'm.faster': { previous: [200, 220], current: [100, 90] },
    'm.tripled': { previous: [10, 12], current: [30, 36] },
    'm.only_current': { previous: [], current: [50, 60] },
    'm.zero_before': { previous: [0, 0], current: [40, 50] },
  };

  const get = <T>(path: string) => http<T>('GET', `${stack.queryUrl}${path}`, undefined, user);

  beforeAll(async () => {
    stack = await startStack('checks');
    user = bearer(stack.tokens.user);
    const write = (method: string, path: string, body: unknown) => http<{ id: string }>(method, `${stack.ingestUrl}${path}`, body, user);
    const start = Date.now() - 3 * 3600_000;
    for (const [i, duration] of runDurations.entries()) {
      const { body } = await write('POST', '/api/elt/runs', { projectId, jobName: `run-${i}`, cronjobName: i % 2 ? 'a' : 'b' });
      await write('PATCH', `/api/elt/runs/${body.id}`, { status: 'running', startedAt: new Date(start).toISOString() });
      await write('PATCH', `/api/elt/runs/${body.id}`, { status: 'succeeded', finishedAt: new Date(start + duration * 1000).toISOString() });
      if (i > 0) continue;
      const executions = Object.entries(models).flatMap(([model_name, windows]) =>
        (['previous', 'current'] as const).flatMap((window) =>
          windows[window].map((seconds, k) => {
            const begin = Date.UTC(2026, 1, (window === 'previous' ? 1 : 8) + k, 6);
            return { model_name, status: 'success', started_at: new Date(begin).toISOString(), completed_at: new Date(begin + seconds * 1000).toISOString() };
          }),
        ),
      );
      await write('POST', `/api/elt/runs/${body.id}/model-executions`, { executions });
    }
    const executionCount = Object.values(models).reduce((n, w) => n + w.previous.length + w.current.length, 0);
    await eventually(async () => {
      const runs = await get<{ runs: { status: string }[]; total: number }>(`/api/v1/projects/${projectId}/runs?limit=500&include_stats=false`);
      const executions = await get<{ total: number }>(`/api/v1/projects/${projectId}/model-executions`);
      const done = runs.body.total === runDurations.length && runs.body.runs.every((r) => r.status === 'success');
      return done && executions.body.total === executionCount ? true : undefined;
    }, 'the runs and executions to be materialized');
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** Client recipe 2, as the seed client does it from daily-stats. */
  async function clientSla(threshold: number, days: number) {
    const { body } = await get<{ daily_stats: DailyStatsEntry[] }>(`/api/v1/projects/${projectId}/runs/daily-stats?days=${days}`);
    return body.daily_stats
      .filter((d) => d.p95_duration_seconds !== null && d.p95_duration_seconds > threshold)
      .map((d) => ({ date: d.date, p95_duration_seconds: d.p95_duration_seconds, max_duration_seconds: d.max_duration_seconds, total_runs: d.total_runs }));
  }

  /** Client recipe 3, as the seed client does it from two model stats windows. */
  async function clientRegressions(current: [string, string], previous: [string, string], threshold = 0.2) {
    const window = async ([from, to]: [string, string]) => {
      const { body } = await get<{ stats: ModelStatsEntry[] }>(`/api/v1/projects/${projectId}/model-executions/stats?start_date=${from}&end_date=${to}`);
      return new Map(body.stats.map((s) => [s.model_name, s.p95_duration_seconds]));
    };
    const [now, before] = [await window(current), await window(previous)];
    const found: { model_name: string; previous_p95_seconds: number; current_p95_seconds: number; change_percent: number; change: number }[] = [];
    for (const [model_name, p95] of now) {
      const old = before.get(model_name);
      if (!p95 || !old) continue;
      const change = (p95 - old) / old;
      if (change > threshold)
        found.push({ model_name, previous_p95_seconds: old, current_p95_seconds: p95, change_percent: Math.round(change * 1000) / 10, change });
    }
    return found.sort((a, b) => b.change - a.change).map(({ change: _change, ...rest }) => rest);
  }

  it('reports the days whose exact p95 exceeded the threshold, as the client recipe does', async () => {
    const p95 = Math.round(percentileCont(runDurations, 0.95) * 1000) / 1000;
    for (const threshold of [0, 100, p95 - 1, p95, 5000]) {
      const { status, body } = await get<{ breaches: unknown[]; total: number; threshold_seconds: number }>(
        `/api/v1/projects/${projectId}/sla?threshold_seconds=${threshold}&days=7`,
      );
      expect(status).toBe(200);
      expect(body.breaches).toEqual(await clientSla(threshold, 7));
      expect(body.total).toBe(body.breaches.length);
      expect(body.threshold_seconds).toBe(threshold);
    }
    const { body } = await get<{ breaches: { p95_duration_seconds: number; total_runs: number }[] }>(`/api/v1/projects/${projectId}/sla?threshold_seconds=100`);
    expect(body.breaches).toHaveLength(1);
    expect(body.breaches[0].p95_duration_seconds).toBeCloseTo(p95, 3);
    expect(body.breaches[0].total_runs).toBe(runDurations.length);
  });

  it('reports model regressions exactly as the client recipe computes them', async () => {
    const current: [string, string] = ['2026-02-08', '2026-02-14'];
    const previous: [string, string] = ['2026-02-01', '2026-02-07'];
    const path = `/api/v1/projects/${projectId}/model-executions/regressions?current_start=${current[0]}&current_end=${current[1]}&previous_start=${previous[0]}&previous_end=${previous[1]}`;
    const { status, body } = await get<{ regressions: { model_name: string }[]; total: number; min_change: number }>(path);
    expect(status).toBe(200);
    expect(body.regressions).toEqual(await clientRegressions(current, previous));
    expect(body.regressions.map((r) => r.model_name)).toEqual(['m.tripled', 'm.slower_by_half']);
    expect(body.min_change).toBe(0.2);
    const lenient = await get<{ regressions: { model_name: string }[] }>(`${path}&min_change=0.05`);
    expect(lenient.body.regressions).toEqual(await clientRegressions(current, previous, 0.05));
    expect(lenient.body.regressions.map((r) => r.model_name)).toEqual(['m.tripled', 'm.slower_by_half', 'm.slower_by_tenth']);
  });

  it.each([
    ['/sla', 'threshold_seconds'],
    ['/sla?threshold_seconds=-1', 'threshold_seconds'],
    ['/sla?threshold_seconds=1e3', 'threshold_seconds'],
    ['/sla?threshold_seconds=10&days=0', 'days'],
    ['/sla?threshold_seconds=10&days=366', 'days'],
    ['/model-executions/regressions?current_start=2026-02-08&current_end=2026-02-14&previous_start=2026-02-01', 'previous_end'],
    ['/model-executions/regressions?current_start=2026-02-30&current_end=2026-02-14&previous_start=2026-02-01&previous_end=2026-02-07', 'current_start'],
    ['/model-executions/regressions?current_start=2026-02-14&current_end=2026-02-08&previous_start=2026-02-01&previous_end=2026-02-07', 'current_end'],
    [
      '/model-executions/regressions?current_start=2026-02-08&current_end=2026-02-14&previous_start=2026-02-01&previous_end=2026-02-07&min_change=abc',
      'min_change',
    ],
  ])('answers 400 naming the field for %s', async (path, field) => {
    const { status, body } = await get<{ message: unknown }>(`/api/v1/projects/${projectId}${path}`);
    expect(status).toBe(400);
    expect(JSON.stringify(body.message)).toContain(field);
  });

  it('sees only the caller organisation', async () => {
    const { body } = await http<{ breaches: unknown[] }>(
      'GET',
      `${stack.queryUrl}/api/v1/projects/${projectId}/sla?threshold_seconds=0`,
      undefined,
      bearer(stack.tokens.otherOrg),
    );
    expect(body.breaches).toEqual([]);
  });
});
