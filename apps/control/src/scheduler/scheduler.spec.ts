import { ActiveJobRun, ClickHouseStore, JobRow, toChDateTime } from '@runstream/clickhouse';
import { RunNotLaunchedError, RunStarter, StartRun } from '../runs/run-starter';
import { scheduledRunId } from './schedule-ticks';
import { Scheduler } from './scheduler';

function jobRow(id: string, overrides: Partial<JobRow> = {}): JobRow {
  return {
    org_id: 'org_a',
    project_id: 'proj_a',
    id,
    name: id,
    description: '',
    command: 'dbt build',
    schedule: '* * * * *',
    timezone: 'UTC',
    enabled: 1,
    resources: '{}',
    environment: '{}',
    slack_channel: '',
    slack_alerts_enabled: 0,
    slack_alert_on_success: 0,
    webhook_url: '',
    webhook_headers: '{}',
    webhook_events: [],
    webhook_enabled: 0,
    webhook_secret: '',
    webhook_previous_secret: '',
    webhook_previous_secret_expires_at: null,
    deleted: 0,
    created_at: '2026-01-01 00:00:00.000',
    updated_at: '2026-01-01 00:00:00.000',
    last_request_id: '',
    kafka_partition: 0,
    kafka_offset: '0',
    ...overrides,
  };
}

/**
 * The store's two queries the scheduler makes: listActiveJobs, answered from `rows` (reads are
 * counted), and selectActiveJobRuns (under Forbid), answered from `active`.
 */
function jobStore(rows: () => JobRow[], active: () => ActiveJobRun[] = () => []): { store: ClickHouseStore; reads: () => number } {
  let reads = 0;
  const store = {
    query: async (_schema: unknown, sql: string) => {
      if (sql.includes('.runs FINAL')) return active();
      reads += 1;
      return rows();
    },
  } as unknown as ClickHouseStore;
  return { store, reads: () => reads };
}

/** Records starts; `fail` decides per call whether the start fails, and with what (a publish failure unless it says). */
function recordingStarter(fail: (request: StartRun) => boolean | Error = () => false): { starter: RunStarter; calls: StartRun[] } {
  const calls: StartRun[] = [];
  const starter = {
    start: async (request: StartRun) => {
      calls.push(request);
      const failure = fail(request);
      if (failure instanceof Error) throw failure;
      if (failure) throw new Error('Kafka is unavailable');
      return { runId: request.runId ?? '', jobName: 'x' };
    },
  } as unknown as RunStarter;
  return { starter, calls };
}

const config = { enabled: true, tickMs: 1_000, refreshMs: 5_000, startingDeadlineMs: 300_000, concurrencyPolicy: 'Allow' as const };

describe('Scheduler', () => {
  it('fires due ticks as scheduled runs with the deterministic id and the tick as their time', async () => {
    let now = new Date('2026-02-01T10:00:00.300Z');
    const { store } = jobStore(() => [jobRow('job_a')]);
    const { starter, calls } = recordingStarter();
    const scheduler = new Scheduler(config, store, starter, () => now);
    expect(await scheduler.tick()).toEqual([scheduledRunId('job_a', new Date('2026-02-01T10:00:00Z'))]);
    expect(calls[0]).toMatchObject({
      orgId: 'org_a',
      projectId: 'proj_a',
      actor: 'control-plane',
      triggeredBy: 'scheduled',
      at: new Date('2026-02-01T10:00:00Z'),
      job: { id: 'job_a' },
    });
    now = new Date('2026-02-01T10:00:01.300Z');
    expect(await scheduler.tick()).toEqual([]);
  });

  it('keeps firing other jobs when one fails, and retries the failed tick with the same id', async () => {
    const now = new Date('2026-02-01T10:00:00.300Z');
    const { store } = jobStore(() => [jobRow('job_bad'), jobRow('job_ok')]);
    let failing = true;
    const { starter, calls } = recordingStarter((request) => failing && request.job.id === 'job_bad');
    const scheduler = new Scheduler(config, store, starter, () => now);
    expect(await scheduler.tick()).toEqual([scheduledRunId('job_ok', new Date('2026-02-01T10:00:00Z'))]);
    expect(await scheduler.tick()).toEqual([]);
    failing = false;
    expect(await scheduler.tick()).toEqual([scheduledRunId('job_bad', new Date('2026-02-01T10:00:00Z'))]);
    expect(calls.filter((c) => c.job.id === 'job_bad').map((c) => c.runId)).toEqual(Array(3).fill(scheduledRunId('job_bad', new Date('2026-02-01T10:00:00Z'))));
    expect(calls.filter((c) => c.job.id === 'job_ok')).toHaveLength(1);
  });

  it('does not retry a tick whose run was ended as error because its launch failed, and still retries one left pending', async () => {
    const now = new Date('2026-02-01T10:00:00.300Z');
    const tick = new Date('2026-02-01T10:00:00Z');
    const { store } = jobStore(() => [jobRow('job_ended'), jobRow('job_pending')]);
    const { starter, calls } = recordingStarter((request) =>
      request.job.id === 'job_ended'
        ? new RunNotLaunchedError(request.runId ?? '', 'not launched: the API server refused it', true)
        : new RunNotLaunchedError(request.runId ?? '', 'not launched: the API server refused it', false),
    );
    const scheduler = new Scheduler(config, store, starter, () => now);
    expect(await scheduler.tick()).toEqual([]);
    expect(await scheduler.tick()).toEqual([]);
    expect(calls.filter((c) => c.job.id === 'job_ended').map((c) => c.runId)).toEqual([scheduledRunId('job_ended', tick)]);
    expect(calls.filter((c) => c.job.id === 'job_pending')).toHaveLength(2);
  });

  it('reads the job list at most once per refresh, but afresh before firing, so a job disabled before its tick does not fire', async () => {
    let now = new Date('2026-02-01T10:00:30Z');
    let enabled: 0 | 1 = 1;
    const { store, reads } = jobStore(() => [jobRow('job_a', { enabled, updated_at: toChDateTime(new Date('2026-02-01T10:00:20Z')) })]);
    const { starter, calls } = recordingStarter();
    const scheduler = new Scheduler(config, store, starter, () => now);
    await scheduler.tick();
    now = new Date('2026-02-01T10:00:31Z');
    await scheduler.tick();
    expect(reads()).toBe(1);
    enabled = 0; // disabled at 10:00:33, the cached list still says enabled
    now = new Date('2026-02-01T10:01:00.005Z');
    expect(await scheduler.tick()).toEqual([]);
    expect(calls).toEqual([]);
    expect(reads()).toBe(2);
  });

  it('does not fire on a list read a moment before the tick, when the job was disabled in between', async () => {
    let now = new Date('2026-02-01T10:00:54.005Z');
    let enabled: 0 | 1 = 1;
    const { store, reads } = jobStore(() => [jobRow('job_a', { enabled, updated_at: toChDateTime(new Date('2026-02-01T10:00:20Z')) })]);
    const { starter, calls } = recordingStarter();
    const scheduler = new Scheduler(config, store, starter, () => now);
    await scheduler.tick();
    now = new Date('2026-02-01T10:00:59.005Z'); // the periodic re-read, a second before the tick
    await scheduler.tick();
    expect(reads()).toBe(2);
    enabled = 0; // disabled at 10:00:59.6, answered before the tick
    now = new Date('2026-02-01T10:01:00.005Z');
    expect(await scheduler.tick()).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('fires no tick on a list older than it when the re-read fails, and fires it once a read succeeds within its deadline', async () => {
    let now = new Date('2026-02-01T10:00:30Z');
    let failing = false;
    const job = jobRow('job_a', { updated_at: toChDateTime(new Date('2026-02-01T10:00:20Z')) });
    const { store, reads } = jobStore(() => {
      if (failing) throw new Error('ClickHouse is away');
      return [job];
    });
    const { starter, calls } = recordingStarter();
    const scheduler = new Scheduler(config, store, starter, () => now);
    await scheduler.tick();
    failing = true; // from here the list read at 10:00:30 is all there is; the job may have been deleted since
    now = new Date('2026-02-01T10:01:00.005Z');
    expect(await scheduler.tick()).toEqual([]);
    now = new Date('2026-02-01T10:01:01.005Z');
    expect(await scheduler.tick()).toEqual([]);
    expect(calls).toEqual([]);
    failing = false;
    now = new Date('2026-02-01T10:01:02.005Z');
    expect(await scheduler.tick()).toEqual([scheduledRunId('job_a', new Date('2026-02-01T10:01:00Z'))]);
    expect(reads()).toBeGreaterThan(3);
  });

  it('under Forbid skips a tick while the job has a run pending or running, for good, and fires the next one once it ended', async () => {
    let now = new Date('2026-02-01T10:00:30Z');
    let active: ActiveJobRun[] = [{ org_id: 'org_a', project_id: 'proj_a', job_id: 'job_a', id: 'run_previous', status: 'running' }];
    const { store } = jobStore(
      () => [
        jobRow('job_a', { updated_at: toChDateTime(new Date('2026-02-01T09:00:00Z')) }),
        jobRow('job_b', { updated_at: toChDateTime(new Date('2026-02-01T09:00:00Z')) }),
      ],
      () => active,
    );
    const { starter, calls } = recordingStarter();
    const scheduler = new Scheduler({ ...config, concurrencyPolicy: 'Forbid' }, store, starter, () => now);
    now = new Date('2026-02-01T10:01:00.005Z');
    // job_b has no run under way: it fires; job_a's tick is skipped.
    expect(await scheduler.tick()).toEqual([scheduledRunId('job_b', new Date('2026-02-01T10:01:00Z'))]);
    active = [];
    now = new Date('2026-02-01T10:01:30Z'); // the run ended: the skipped tick is not caught up
    expect(await scheduler.tick()).toEqual([]);
    now = new Date('2026-02-01T10:02:00.005Z');
    expect((await scheduler.tick()).sort()).toEqual(
      [scheduledRunId('job_a', new Date('2026-02-01T10:02:00Z')), scheduledRunId('job_b', new Date('2026-02-01T10:02:00Z'))].sort(),
    );
    expect(calls.map((call) => call.runId)).not.toContain(scheduledRunId('job_a', new Date('2026-02-01T10:01:00Z')));
  });

  it('under Allow fires every tick, whatever runs are under way', async () => {
    const now = new Date('2026-02-01T10:01:00.005Z');
    const { store } = jobStore(
      () => [jobRow('job_a', { updated_at: toChDateTime(new Date('2026-02-01T09:00:00Z')) })],
      () => [{ org_id: 'org_a', project_id: 'proj_a', job_id: 'job_a', id: 'run_previous', status: 'running' }],
    );
    const { starter } = recordingStarter();
    const scheduler = new Scheduler(config, store, starter, () => now);
    expect(await scheduler.tick()).toEqual([scheduledRunId('job_a', new Date('2026-02-01T10:01:00Z'))]);
  });

  it('runs on its own timer once started, one run per tick, and stops', async () => {
    const { store } = jobStore(() => [jobRow('job_fast', { schedule: '* * * * * *' })]);
    const { starter, calls } = recordingStarter();
    const scheduler = new Scheduler({ ...config, tickMs: 100 }, store, starter);
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 2_600));
    await scheduler.stop();
    const ids = calls.map((c) => c.runId);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(ids.length);
    const stopped = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(calls).toHaveLength(stopped);
  });
});
