import { eventually, http } from '@runstream/testing';
import { ExecutionStatsResponse } from '../../apps/query/src/org-stats/execution-stats.service';
import { bearer, startStack, Stack } from '../support/stack';

/** Served durations are rounded to milliseconds. */
const ms = (seconds: number) => Math.round(seconds * 1000) / 1000;

/** PostgreSQL percentile_cont / numpy's default: linear interpolation between closest ranks. */
function percentileCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

const INJECTIONS = ["x' OR '1'='1", "'; DROP TABLE runs; --", '{db:Identifier}', "\\' UNION SELECT 1 --"];

describe('read API', () => {
  let stack: Stack;
  let user: Record<string, string>;
  const projectId = 'proj_read';
  const runDurations = [754.123, 120.5, 98.2, 456.7, 300, 289.1, 1023.7, 132.4];
  const runIds: string[] = [];
  const executionDurations: Record<string, number[]> = { 'orders.stg_orders': [], 'orders.fct_orders': [], 'customers.dim': [] };

  const get = <T>(path: string, headers = user) => http<T>('GET', `${stack.queryUrl}${path}`, undefined, headers);

  beforeAll(async () => {
    stack = await startStack('read-api');
    user = bearer(stack.tokens.user);
    const write = (method: string, path: string, body: unknown) => http<{ id: string }>(method, `${stack.ingestUrl}${path}`, body, user);
    for (const [i, duration] of runDurations.entries()) {
      const { body } = await write('POST', '/api/elt/runs', {
        projectId,
        jobName: `run-${i}`,
        cronjobName: i % 2 ? 'hourly-refresh' : 'nightly',
        jobType: 'run',
        triggeredBy: 'scheduled',
      });
      runIds.push(body.id);
      const start = Date.UTC(2026, 1, 26, 6, 0, 0);
      const status = i === 3 ? 'failed' : i === 5 ? 'partial' : 'succeeded';
      await write('PATCH', `/api/elt/runs/${body.id}`, {
        status: 'running',
        startedAt: new Date(start).toISOString(),
        appendLog: { level: 'info', message: 'token=abc123 connected' },
        telemetrySummary: { progress: 50 },
        appendTelemetrySample: { rowsLoaded: 10 },
      });
      await write('PATCH', `/api/elt/runs/${body.id}`, { status, finishedAt: new Date(start + duration * 1000).toISOString() });
      const executions = Object.keys(executionDurations).flatMap((model, m) =>
        Array.from({ length: 5 }, (_, k) => {
          const seconds = 10 + ((i * 37 + m * 11 + k * 53) % 200) + k / 8;
          executionDurations[model].push(seconds);
          const begin = Date.UTC(2026, 1, 20 + (k % 5), 6, 0, 0);
          return {
            model_name: model,
            status: k === 4 && m === 0 ? 'failed' : 'success',
            started_at: new Date(begin).toISOString(),
            completed_at: new Date(begin + seconds * 1000).toISOString(),
            rows_processed: 1000 * (k + 1),
            bytes_processed: 2048 * (k + 1),
          };
        }),
      );
      await write('POST', `/api/elt/runs/${body.id}/model-executions`, { executions });
    }
    await eventually(async () => {
      const list = await get<{ runs: { status: string }[]; total: number }>(`/api/v1/projects/${projectId}/runs?limit=500`);
      const executions = await get<{ total: number }>(`/api/v1/projects/${projectId}/model-executions`);
      return list.body.total === runDurations.length && list.body.runs.every((r) => r.status !== 'running') && executions.body.total === 120 ? true : undefined;
    }, 'the history to be materialized');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('pages runs stably with consistent totals', async () => {
    const pages = await Promise.all(
      [1, 2, 3].map((page) =>
        get<{ runs: { id: string }[]; total: number; total_pages: number; page: number; limit: number }>(
          `/api/v1/projects/${projectId}/runs?limit=3&page=${page}&include_stats=false`,
        ),
      ),
    );
    expect(pages.map((p) => p.body.runs.length)).toEqual([3, 3, 2]);
    expect(pages[0].body).toMatchObject({ total: 8, total_pages: 3, page: 1, limit: 3 });
    expect(new Set(pages.flatMap((p) => p.body.runs.map((r) => r.id))).size).toBe(8);
    const hourly = await get<{ total: number; stats: { total_runs: number } }>(`/api/v1/projects/${projectId}/runs?cronjob_name=hourly-refresh`);
    expect(hourly.body.total).toBe(4);
    expect(hourly.body.stats.total_runs).toBe(4);
  });

  it("adds each run's telemetry summary with include_telemetry=true, the same as the run's own, and nothing without it", async () => {
    type Listed = { runs: { id: string; telemetry_summary?: Record<string, unknown> }[] };
    const withTelemetry = await get<Listed>(`/api/v1/projects/${projectId}/runs?include_stats=false&include_telemetry=true`);
    expect(withTelemetry.body.runs).toHaveLength(runIds.length);
    for (const run of withTelemetry.body.runs) {
      const own = await http<{ telemetry: { summary: Record<string, unknown> } }>('GET', `${stack.queryUrl}/api/elt/runs/${run.id}`, undefined, user);
      expect(run.telemetry_summary).toEqual({ progress: 50 });
      expect(run.telemetry_summary).toEqual(own.body.telemetry.summary);
    }
    const plain = await get<Listed>(`/api/v1/projects/${projectId}/runs?include_stats=false`);
    expect(plain.body.runs.every((run) => !('telemetry_summary' in run))).toBe(true);
    const bad = await get<{ message: string }>(`/api/v1/projects/${projectId}/runs?include_telemetry=sometimes`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('include_telemetry');
  });

  it('serves daily stats with exact p95 and max, across and per cronjob', async () => {
    const response = await get<{ daily_stats: Record<string, unknown>[]; total_days: number }>(`/api/v1/projects/${projectId}/runs/daily-stats`);
    expect(response.status).toBe(200);
    expect(response.body.total_days).toBe(30);
    expect(response.body.daily_stats).toHaveLength(30);
    const today = response.body.daily_stats[29];
    expect(today).not.toHaveProperty('cronjob_name');
    expect(today).toMatchObject({
      date: new Date().toISOString().slice(0, 10),
      total_runs: 8,
      success_count: 6,
      partial_count: 1,
      failed_count: 1,
      other_count: 0,
    });
    expect(today.p95_duration_seconds).toBe(ms(percentileCont(runDurations, 0.95)));
    expect(today.max_duration_seconds).toBe(1023.7);
    expect(today.avg_duration_seconds).toBe(ms(runDurations.reduce((a, b) => a + b, 0) / runDurations.length));
    expect(response.body.daily_stats[0]).toMatchObject({ total_runs: 0, p95_duration_seconds: null });

    const hourly = await get<{ daily_stats: Record<string, unknown>[] }>(`/api/v1/projects/${projectId}/runs/daily-stats?days=1&cronjob_name=hourly-refresh`);
    const hourlyDurations = runDurations.filter((_, i) => i % 2);
    expect(hourly.body.daily_stats).toEqual([
      expect.objectContaining({ cronjob_name: 'hourly-refresh', total_runs: 4, p95_duration_seconds: ms(percentileCont(hourlyDurations, 0.95)) }),
    ]);
    expect((await get(`/api/v1/projects/${projectId}/runs/daily-stats?days=366`)).status).toBe(400);
    const badStatus = await get<{ message: string }>(`/api/v1/projects/${projectId}/runs?status=exploded&job_type=cron`);
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.message).toContain('status');
    expect(badStatus.body.message).toContain('job_type');
    const badTime = await get<{ message: string }>(`/api/v1/projects/${projectId}/runs?updated_after=yesterday&include_stats=maybe`);
    expect(badTime.body.message).toContain('updated_after');
    expect(badTime.body.message).toContain('include_stats');
  });

  it('lists model executions with the parent cronjob, filters and pages', async () => {
    const page = await get<{ executions: Record<string, unknown>[]; total: number; limit: number; total_pages: number }>(
      `/api/v1/projects/${projectId}/model-executions?model_name=orders.stg_orders&limit=15`,
    );
    expect(page.body).toMatchObject({ total: 40, limit: 15, total_pages: 3 });
    expect(Object.keys(page.body.executions[0]).sort()).toEqual([
      'bytes_processed',
      'completed_at',
      'created_at',
      'cronjob_name',
      'duration_seconds',
      'id',
      'interval_end',
      'interval_start',
      'job_run_id',
      'model_name',
      'project_id',
      'rows_processed',
      'started_at',
      'status',
      'updated_at',
    ]);
    expect(['nightly', 'hourly-refresh']).toContain(page.body.executions[0].cronjob_name);
    const byCron = await get<{ total: number }>(`/api/v1/projects/${projectId}/model-executions?cronjob_name=nightly`);
    expect(byCron.body.total).toBe(60);
    const defaults = await get<{ limit: number; page: number }>(`/api/v1/projects/${projectId}/model-executions`);
    expect(defaults.body).toMatchObject({ limit: 100, page: 1 });
    expect((await get(`/api/v1/projects/${projectId}/model-executions?limit=501`)).status).toBe(400);
    const future = await get<{ total: number }>(`/api/v1/projects/${projectId}/model-executions?updated_after=2299-12-31T23:59:59.999Z`);
    expect(future.body.total).toBe(0);
  });

  it('computes per-model stats with exact p50/p95, all-time and windowed', async () => {
    const all = await get<{ stats: Record<string, number | string>[]; total: number }>(`/api/v1/projects/${projectId}/model-executions/stats`);
    expect(all.body.total).toBe(3);
    for (const stats of all.body.stats) {
      const durations = executionDurations[stats.model_name as string];
      expect(stats.total_executions).toBe(durations.length);
      expect(stats.p50_duration_seconds).toBe(ms(percentileCont(durations, 0.5)));
      expect(stats.p95_duration_seconds).toBe(ms(percentileCont(durations, 0.95)));
      expect(stats.max_duration_seconds).toBe(ms(Math.max(...durations)));
      expect(stats.min_duration_seconds).toBe(ms(Math.min(...durations)));
    }
    const stg = all.body.stats.find((s) => s.model_name === 'orders.stg_orders');
    expect(stg).toMatchObject({ failed_executions: 8, successful_executions: 32, total_rows_processed: 8 * 15000 });

    const one = await get<{ stats: Record<string, number>[] }>(
      `/api/v1/projects/${projectId}/model-executions/stats/orders.fct_orders?start_date=2026-02-20&end_date=2026-02-21`,
    );
    const windowed = executionDurations['orders.fct_orders'].filter((_, index) => index % 5 < 2);
    expect(one.body.stats).toHaveLength(1);
    expect(one.body.stats[0].total_executions).toBe(windowed.length);
    expect(one.body.stats[0].p95_duration_seconds).toBe(ms(percentileCont(windowed, 0.95)));
    expect((await get(`/api/v1/projects/${projectId}/model-executions/stats?start_date=2026-13-01`)).status).toBe(400);
    expect((await get(`/api/v1/projects/${projectId}/model-executions/stats?start_date=2026-02-21&end_date=2026-02-20`)).status).toBe(400);
  });

  it('serves a single run, its logs, and the write-API view with telemetry', async () => {
    const run = await get<Record<string, unknown>>(`/api/v1/runs/${runIds[0]}`);
    expect(run.body).toMatchObject({
      id: runIds[0],
      project_id: projectId,
      job_id: '',
      namespace: '',
      status: 'success',
      duration_seconds: 754.123,
      start_time: '2026-02-26T06:00:00.000Z',
    });
    const logs = await get<{ logs: { message: string }[] }>(`/api/v1/runs/${runIds[0]}/logs`);
    expect(logs.body.logs.map((l) => l.message)).toEqual(['token=[REDACTED] connected']);
    const elt = await get<Record<string, unknown>>(`/api/elt/runs/${runIds[0]}`);
    expect(elt.body).toMatchObject({
      id: runIds[0],
      status: 'success',
      logEntries: [{ level: 'info', message: 'token=[REDACTED] connected' }],
      telemetry: { summary: { progress: 50 }, samples: [{ rowsLoaded: 10 }] },
    });
  });

  it('checks X-Organization-ID against the token', async () => {
    expect((await get(`/api/v1/projects/${projectId}/runs`, { ...user, 'x-organization-id': stack.orgId })).status).toBe(200);
    expect((await get(`/api/v1/projects/${projectId}/runs`, { ...user, 'x-organization-id': 'someone_else' })).status).toBe(403);
  });

  it("answers another organisation's project and runs as missing ones, on every endpoint", async () => {
    const other = bearer(stack.tokens.otherOrg);
    expect((await get<{ total: number }>(`/api/v1/projects/${projectId}/runs`, other)).body.total).toBe(0);
    expect((await get<{ total: number }>(`/api/v1/projects/${projectId}/model-executions`, other)).body.total).toBe(0);
    expect((await get<{ total: number }>(`/api/v1/projects/${projectId}/model-executions/stats`, other)).body.total).toBe(0);
    expect(
      (await get<{ daily_stats: { total_runs: number }[] }>(`/api/v1/projects/${projectId}/runs/daily-stats`, other)).body.daily_stats.every(
        (d) => d.total_runs === 0,
      ),
    ).toBe(true);
    for (const path of [`/api/v1/runs/${runIds[0]}`, `/api/v1/runs/${runIds[0]}/logs`, `/api/elt/runs/${runIds[0]}`, '/api/v1/runs/run_missing']) {
      expect((await get(path, other)).status).toBe(404);
    }
  });

  it('binds every string parameter: injection attempts find nothing and break nothing', async () => {
    for (const attack of INJECTIONS) {
      const q = encodeURIComponent(attack);
      for (const path of [
        `/api/v1/projects/${projectId}/runs?cronjob_name=${q}`,
        `/api/v1/projects/${projectId}/runs/daily-stats?cronjob_name=${q}`,
        `/api/v1/projects/${projectId}/model-executions?model_name=${q}&cronjob_name=${q}`,
        `/api/v1/projects/${projectId}/model-executions/stats/${q}`,
        `/api/v1/projects/${q}/runs`,
        `/api/v1/runs/${q}`,
      ]) {
        const response = await get<{ total?: number; runs?: unknown[]; stats?: unknown[]; daily_stats?: { total_runs: number }[] }>(path);
        expect([200, 400, 404]).toContain(response.status);
        if (response.status === 200) {
          expect(response.body.total ?? 0).toBe(0);
          expect((response.body.daily_stats ?? []).every((d) => d.total_runs === 0)).toBe(true);
        }
      }
    }
  });

  it('serves organisation-wide execution stats with every bucket present', async () => {
    const now = Date.now();
    const hour = 3_600_000;
    const from = Math.floor(now / hour) * hour - 2 * hour;
    const to = from + 4 * hour;
    const response = await get<ExecutionStatsResponse>(`/v1/executions/stats?from=${from}&to=${to}&granularity=hourly`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ code: 200, message: 'success', requestId: expect.any(String) });
    // The request's own id, as in the logs: the caller's X-Request-ID when it sent one.
    const traced = await get<ExecutionStatsResponse>(`/v1/executions/stats?from=${from}&to=${to}&granularity=hourly`, { ...user, 'x-request-id': 'dash-42' });
    expect(traced.body.requestId).toBe('dash-42');
    const { data } = response.body;
    expect(data.granularity).toBe('hourly');
    expect(data.summary).toEqual({
      averageDurationMs: Math.round((runDurations.reduce((a, b) => a + b, 0) / runDurations.length) * 1000),
      cancelled: 0,
      failed: 2,
      inProgress: 0,
      succeeded: 6,
      successRate: 0.75,
      terminal: 8,
      total: 8,
    });
    expect(data.statuses).toHaveLength(8);
    expect(data.statuses).toContainEqual({ count: 6, status: 'workflow_succeeded' });
    expect(data.timeSeries.map((b) => b.bucketStart)).toEqual([0, 1, 2, 3].map((i) => new Date(from + i * hour).toISOString()));
    expect(data.timeSeries.reduce((sum, b) => sum + b.total, 0)).toBe(8);
    expect(data.sourceSystems).toEqual([{ sourceSystem: projectId, succeeded: 6, failed: 2, cancelled: 0, total: 8 }]);
    expect(data.recentFailures).toHaveLength(2);
    expect(data.recentFailures.map((f) => f.status)).toEqual(['workflow_failed', 'workflow_failed']);

    const other = await get<{ data: { summary: { total: number } } }>(
      `/v1/executions/stats?from=${from}&to=${to}&granularity=daily`,
      bearer(stack.tokens.otherOrg),
    );
    expect(other.body.data.summary.total).toBe(0);
    const missing = await get<{ message: string }>('/v1/executions/stats?to=1&granularity=daily');
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('from');
    expect((await get(`/v1/executions/stats?from=${from}&to=${to}&granularity=weekly`)).status).toBe(400);
    expect((await get(`/v1/executions/stats?from=0&to=${to}&granularity=hourly`)).status).toBe(400);
  });
});
