import { eventually, http } from '@runstream/testing';
import { bearer, startStack, Stack } from '../support/stack';

interface ListedRun {
  id: string;
  status: string;
  start_time: string | null;
  end_time: string | null;
  duration_seconds: number | null;
  cronjob_name: string;
  updated_at: string;
}

interface RunList {
  runs: ListedRun[];
  total: number;
  page: number;
  limit: number;
  total_pages: number;
  stats?: { project_id: string; total_runs: number; successful_runs: number; failed_runs: number; error_runs: number; avg_success_duration: number | null };
}

describe('walking skeleton: POST/PATCH on ingest -> Kafka -> materializer -> ClickHouse -> GET on query', () => {
  let stack: Stack;
  const projectId = `proj_${Date.now()}`;

  beforeAll(async () => {
    stack = await startStack('walking-skeleton');
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function listRuns(query = ''): Promise<RunList> {
    const response = await http<RunList>('GET', `${stack.queryUrl}/api/v1/projects/${projectId}/runs${query}`, undefined, bearer(stack.tokens.user));
    expect(response.status).toBe(200);
    return response.body;
  }

  function runWithStatus(runId: string, status: string): () => Promise<ListedRun | undefined> {
    return async () => (await listRuns()).runs.find((run) => run.id === runId && run.status === status);
  }

  it('shows a run moving pending -> running -> success with its duration', async () => {
    const created = await http<{ id: string; status: string }>(
      'POST',
      `${stack.ingestUrl}/api/elt/runs`,
      {
        projectId,
        jobName: 'sqlmesh-run-20260226-060000',
        cronjobName: 'hourly-refresh',
        jobType: 'run',
        triggeredBy: 'scheduled',
      },
      bearer(stack.tokens.user),
    );
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('pending');
    const runId = created.body.id;

    const pending = await eventually(runWithStatus(runId, 'pending'), 'the pending run');
    expect(pending).toMatchObject({ cronjob_name: 'hourly-refresh', start_time: null, end_time: null, duration_seconds: null });

    const running = await http(
      'PATCH',
      `${stack.ingestUrl}/api/elt/runs/${runId}`,
      { status: 'running', startedAt: '2026-02-26T06:00:00Z' },
      bearer(stack.tokens.user),
    );
    expect(running.status).toBe(202);
    const seenRunning = await eventually(runWithStatus(runId, 'running'), 'the running run');
    expect(seenRunning.start_time).toBe('2026-02-26T06:00:00.000Z');
    expect(seenRunning.updated_at > pending.updated_at).toBe(true);

    const done = await http(
      'PATCH',
      `${stack.ingestUrl}/api/elt/runs/${runId}`,
      { status: 'succeeded', finishedAt: '2026-02-26T06:12:34.123Z' },
      bearer(stack.tokens.user),
    );
    expect(done.status).toBe(202);
    const succeeded = await eventually(runWithStatus(runId, 'success'), 'the successful run');
    expect(succeeded).toMatchObject({ start_time: '2026-02-26T06:00:00.000Z', end_time: '2026-02-26T06:12:34.123Z', duration_seconds: 754.123 });

    const list = await listRuns();
    expect(list).toMatchObject({ total: 1, page: 1, limit: 50, total_pages: 1 });
    expect(list.stats).toEqual({ project_id: projectId, total_runs: 1, successful_runs: 1, failed_runs: 0, error_runs: 0, avg_success_duration: 754.123 });
  });

  it('times a run from the moments its statuses were reported when the runner sends no times', async () => {
    const created = await http<{ id: string }>(
      'POST',
      `${stack.ingestUrl}/api/elt/runs`,
      { projectId, jobName: 'untimed', cronjobName: 'nightly' },
      bearer(stack.tokens.user),
    );
    const runId = created.body.id;
    await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${runId}`, { status: 'running' }, bearer(stack.tokens.user));
    await new Promise((resolve) => setTimeout(resolve, 120));
    await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${runId}`, { status: 'failed' }, bearer(stack.tokens.user));
    const failed = await eventually(runWithStatus(runId, 'failed'), 'the failed run');
    expect(failed.duration_seconds).toBeGreaterThanOrEqual(0.12);
    expect(failed.duration_seconds).toBeCloseTo((Date.parse(failed.end_time ?? '') - Date.parse(failed.start_time ?? '')) / 1000, 3);

    const onlyFailed = await listRuns('?status=failed&include_stats=false');
    expect(onlyFailed.runs.map((run) => run.id)).toEqual([runId]);
    expect(onlyFailed.stats).toBeUndefined();
  });

  it('answers 400 naming the field, and 404 for a run it does not know', async () => {
    const bad = await http<{ message: string }>('PATCH', `${stack.ingestUrl}/api/elt/runs/run_x`, { status: 'exploded' }, bearer(stack.tokens.user));
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('status');

    const unknown = await http('PATCH', `${stack.ingestUrl}/api/elt/runs/run_does_not_exist`, { status: 'running' }, bearer(stack.tokens.user));
    expect(unknown.status).toBe(404);

    const badLimit = await http<{ message: string }>(
      'GET',
      `${stack.queryUrl}/api/v1/projects/${projectId}/runs?limit=501`,
      undefined,
      bearer(stack.tokens.user),
    );
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.message).toContain('limit');
  });
});
