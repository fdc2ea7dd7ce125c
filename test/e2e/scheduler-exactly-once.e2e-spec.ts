import { ClickHouseStore } from '@runstream/clickhouse';
import { z } from 'zod';
import { eventually, http } from '@runstream/testing';
import { CONTROL_CONFIG, ControlConfig, loadControlConfig } from '../../apps/control/src/config/control.config';
import { ControlEventLog } from '../../apps/control/src/events/control-event-log';
import { RunStarter } from '../../apps/control/src/runs/run-starter';
import { LeaseSweeper } from '../../apps/control/src/scheduler/lease-sweeper';
import { scheduledRunId } from '../../apps/control/src/scheduler/schedule-ticks';
import { Scheduler, SCHEDULER_CLOCK } from '../../apps/control/src/scheduler/scheduler';
import { schedulerProviders } from '../../apps/control/src/scheduler/scheduler.providers';
import { createControlApp } from '../../apps/control/src/control.app';
import { bearer, startStack, Stack } from '../support/stack';
import { ControlInstance, startControl } from './support-control';

const StoredRunSchema = z.object({
  id: z.string(),
  job_name: z.string(),
  triggered_by: z.string(),
  target_gateway: z.string(),
  command_argv: z.array(z.string()),
});
type StoredRun = z.infer<typeof StoredRunSchema>;

interface AgentRun {
  id: string;
  command: string[];
  environment: Record<string, string>;
}

const MINUTE = 60_000;

/**
 * Scheduler instances over the jobs of a real control app (Jobs API, jobs fold), real Kafka and
 * chDB, the materializer folding their runs. Each scheduler reads its own clock, which the test
 * moves a minute at a time, so schedules of `* * * * *` fire without waiting for the wall clock.
 */
describe('Scheduler: exactly one run per (job, tick) across instances, crashes and restarts; agent lease', () => {
  let stack: Stack;
  let control: ControlInstance;
  let store: ClickHouseStore;
  let starter: RunStarter;
  const projectId = `proj_sched_${Date.now()}`;
  let fakeNow = new Date();
  const clock = (): Date => fakeNow;
  // Allow: these runs stay pending (no agent runs them), which Forbid would wait for; Forbid has its own test.
  const schedulerConfig = { enabled: false, tickMs: 1_000, refreshMs: 5_000, startingDeadlineMs: 5 * MINUTE, concurrencyPolicy: 'Allow' as const };
  const newScheduler = (): Scheduler => new Scheduler(schedulerConfig, store, starter, clock);

  beforeAll(async () => {
    stack = await startStack('scheduler');
    control = await startControl(stack, { CONTROL_LOCAL_GATEWAY: 'gw-1' });
    store = control.app.get(ClickHouseStore);
    starter = control.app.get(RunStarter);
  });

  afterAll(async () => {
    await control?.app.close();
    await stack?.close();
  });

  const auth = () => bearer(stack.tokens.user);
  async function createJob(name: string, environment: Record<string, string> = {}): Promise<{ id: string; updated_at: string }> {
    const response = await http<{ id: string; updated_at: string }>(
      'POST',
      `${control.url}/api/v1/projects/${projectId}/jobs`,
      { name, command: 'dbt build --select tag:nightly', schedule: '* * * * *', environment },
      auth(),
    );
    expect(response.status).toBe(201);
    return response.body;
  }

  const runsOf = (jobId: string): Promise<StoredRun[]> =>
    store.query(
      StoredRunSchema,
      'SELECT id, job_name, triggered_by, target_gateway, command_argv FROM {db:Identifier}.runs FINAL WHERE job_id = {job:String} ORDER BY job_name',
      { job: jobId },
    );

  /** The tick a run was named after: `<project>-<job>-YYYYMMDD-HHMMSS`, UTC. */
  function tickOf(run: StoredRun): string {
    const stamp = /(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(run.job_name);
    if (!stamp) throw new Error(`unexpected job_name ${run.job_name}`);
    return `${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}.000Z`;
  }

  it('two instances, one killed mid-way, downtime and two fresh instances: one run per tick, only the latest missed tick caught up', async () => {
    const job = await createJob('every-minute', { DBT_TARGET: 'prod', API_KEY: 's3cret' });
    // First tick: the first whole minute after the job was created.
    const first = Math.ceil(Date.parse(job.updated_at) / MINUTE) * MINUTE + MINUTE;
    const tick = (k: number): Date => new Date(first + (k - 1) * MINUTE);
    const a = newScheduler();
    const b = newScheduler();
    const announced: string[][] = [];

    // Ticks 1 and 2: both instances fire each.
    for (const k of [1, 2]) {
      fakeNow = new Date(tick(k).getTime() + 300);
      const [byA, byB] = await Promise.all([a.tick(), b.tick()]);
      announced.push(byA, byB);
      expect(byA).toEqual([scheduledRunId(job.id, tick(k))]);
      expect(byB).toEqual(byA);
    }
    // Tick 3: B is killed mid-pass (never awaited, never stopped, never called again); A fires.
    fakeNow = new Date(tick(3).getTime() + 300);
    const killed = b.tick();
    announced.push(await a.tick());
    // Then A dies too: ticks 4, 5 and 6 pass with no scheduler. C starts 20 s after tick 6.
    fakeNow = new Date(tick(6).getTime() + 20_000);
    const c = newScheduler();
    expect(await c.tick()).toEqual([scheduledRunId(job.id, tick(6))]);
    expect(await c.tick()).toEqual([]);
    // Tick 7: C, and D just started (first sight of the job): the same id.
    fakeNow = new Date(tick(7).getTime() + 500);
    const [byC, byD] = await Promise.all([c.tick(), newScheduler().tick()]);
    expect(byD).toEqual(byC);
    expect(byC).toEqual([scheduledRunId(job.id, tick(7))]);
    await killed.catch(() => undefined);

    // Disabled through the API: tick 8 fires nothing.
    const disabled = await http('PUT', `${control.url}/api/v1/projects/${projectId}/jobs/${job.id}`, { enabled: false }, auth());
    expect(disabled.status).toBe(200);
    fakeNow = new Date(tick(8).getTime() + 300);
    expect(await c.tick()).toEqual([]);

    const expectedTicks = [1, 2, 3, 6, 7].map((k) => tick(k).toISOString());
    const runs = await eventually(async () => {
      const rows = await runsOf(job.id);
      return rows.length >= expectedTicks.length ? rows : undefined;
    }, 'the scheduled runs in the read model');
    // Let any straggler (the killed instance's announcement) land before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const settled = await runsOf(job.id);
    expect(settled).toHaveLength(runs.length);
    expect(settled.map(tickOf)).toEqual(expectedTicks);
    for (const run of settled) {
      expect(run.id).toBe(scheduledRunId(job.id, new Date(tickOf(run))));
      expect(run).toMatchObject({ triggered_by: 'scheduled', target_gateway: 'gw-1', command_argv: ['dbt', 'build', '--select', 'tag:nightly'] });
    }
    // Duplicates were really announced (ticks 1, 2 and 7 twice), and collapsed.
    expect(announced.flat().length).toBeGreaterThan(new Set(announced.flat()).size);

    // A runner's own run naming the job: the agent sees no argv and none of the job's secrets.
    const runnerRun = await http<{ id: string }>(
      'POST',
      `${stack.ingestUrl}/api/elt/runs`,
      { projectId, jobId: job.id, jobName: 'by-hand', targetGateway: 'gw-1' },
      auth(),
    );
    expect(runnerRun.status).toBe(201);
    // The agent poll lists each run with its argv and the job's current environment.
    const polled = await http<{ runs: AgentRun[] }>('GET', `${stack.ingestUrl}/api/agent/runs?limit=100`, undefined, bearer(stack.tokens.gateway));
    const mine = polled.body.runs.filter((run) => settled.some((s) => s.id === run.id));
    expect(mine).toHaveLength(settled.length);
    for (const run of mine)
      expect(run).toMatchObject({ command: ['dbt', 'build', '--select', 'tag:nightly'], environment: { DBT_TARGET: 'prod', API_KEY: 's3cret' } });
    const byHand = await eventually(async () => {
      const listed = await http<{ runs: AgentRun[] }>('GET', `${stack.ingestUrl}/api/agent/runs?limit=100`, undefined, bearer(stack.tokens.gateway));
      return listed.body.runs.find((run) => run.id === runnerRun.body.id);
    }, 'the runner-made run in the agent poll');
    expect(byHand).toMatchObject({ command: [], environment: {} });
  });

  it('under Forbid skips the ticks that come while the job has a run pending (no agent took it), and fires again once it ended', async () => {
    const job = await createJob('forbid-overlap');
    const first = Math.ceil(Date.parse(job.updated_at) / MINUTE) * MINUTE + MINUTE;
    const tick = (k: number): Date => new Date(first + (k - 1) * MINUTE);
    const forbid = new Scheduler({ ...schedulerConfig, concurrencyPolicy: 'Forbid' }, store, starter, clock);
    fakeNow = new Date(tick(1).getTime() + 300);
    expect(await forbid.tick()).toEqual([scheduledRunId(job.id, tick(1))]);
    // The read model holds that run, still pending: ticks 2 and 3 are skipped.
    await eventually(async () => ((await runsOf(job.id)).length === 1 ? true : undefined), 'the first run in the read model');
    for (const k of [2, 3]) {
      fakeNow = new Date(tick(k).getTime() + 300);
      expect(await forbid.tick()).toEqual([]);
    }
    // The run ends; tick 4 fires, and only it.
    const ended = await http(
      'PATCH',
      `${stack.ingestUrl}/api/agent/runs/${scheduledRunId(job.id, tick(1))}`,
      { status: 'cancelled' },
      bearer(stack.tokens.gateway),
    );
    expect(ended.status).toBe(202);
    await eventually(async () => {
      const run = await http<{ status: string }>('GET', `${stack.queryUrl}/api/v1/runs/${scheduledRunId(job.id, tick(1))}`, undefined, auth());
      return run.body.status === 'cancelled' ? true : undefined;
    }, 'the first run ended in the read model');
    fakeNow = new Date(tick(4).getTime() + 300);
    expect(await forbid.tick()).toEqual([scheduledRunId(job.id, tick(4))]);
    await eventually(async () => ((await runsOf(job.id)).length === 2 ? true : undefined), 'two runs in the read model');
    expect((await runsOf(job.id)).map(tickOf)).toEqual([tick(1), tick(4)].map((at) => at.toISOString()));
  });

  it('ends a claimed run whose agent stopped reporting after the lease, and not one that keeps reporting', async () => {
    const job = await createJob('lease-job');
    const silentTick = new Date(Math.ceil(Date.parse(job.updated_at) / MINUTE) * MINUTE + MINUTE);
    fakeNow = new Date(silentTick.getTime() + 100);
    const silent = scheduledRunId(job.id, silentTick);
    expect(await newScheduler().tick()).toContain(silent);
    fakeNow = new Date(silentTick.getTime() + MINUTE + 100);
    const alive = scheduledRunId(job.id, new Date(silentTick.getTime() + MINUTE));
    expect(await newScheduler().tick()).toContain(alive);
    const gateway = bearer(stack.tokens.gateway);
    for (const id of [silent, alive]) {
      await eventually(
        async () => ((await http('POST', `${stack.ingestUrl}/api/agent/runs/${id}/claim`, {}, gateway)).status === 200 ? true : undefined),
        `claim ${id}`,
      );
      expect((await http('PATCH', `${stack.ingestUrl}/api/agent/runs/${id}`, { status: 'running' }, gateway)).status).toBe(202);
    }

    // Well above one loop of the live agent below (a report and a sweep), even on a loaded machine.
    const leaseMs = 2_500;
    const sweeper = new LeaseSweeper(
      { enabled: false, leaseMs, sweepMs: 250, materializerGroupId: stack.env.MATERIALIZER_GROUP_ID as string },
      control.app.get<symbol, ControlConfig>(CONTROL_CONFIG),
      store,
      control.app.get(ControlEventLog),
    );
    try {
      const startedMs = Date.now();
      expect(await sweeper.sweep()).toEqual([]);
      // The live agent heartbeats every 300 ms; the silent one never reports again.
      const ended: string[] = [];
      while (!ended.includes(silent) && Date.now() - startedMs < 20_000) {
        await http('PATCH', `${stack.ingestUrl}/api/agent/runs/${alive}`, { telemetrySummary: { heartbeat: Date.now() } }, gateway);
        ended.push(...(await sweeper.sweep()));
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      // Not before the lease had passed since its last report; the live run untouched.
      expect(Date.now() - startedMs).toBeGreaterThanOrEqual(leaseMs);
      expect(ended).toEqual([silent]);
    } finally {
      await sweeper.stop();
    }
    const read = await eventually(async () => {
      const response = await http<{ status: string; errorSummary: string }>('GET', `${stack.queryUrl}/api/elt/runs/${silent}`, undefined, auth());
      return response.body.status === 'error' ? response.body : undefined;
    }, 'the silent run ended error');
    expect(read.errorSummary).toBe('agent lease expired: no report for 2.5 s (claimed by gw-1)');
    const live = await http<{ status: string }>('GET', `${stack.queryUrl}/api/elt/runs/${alive}`, undefined, auth());
    expect(live.body.status).toBe('running');
  });
  it('wired into the control app: starts on bootstrap, fires on its own timer, stops on close', async () => {
    const job = await createJob('wired-job');
    const tick = new Date(Math.ceil(Date.parse(job.updated_at) / MINUTE) * MINUTE + MINUTE);
    fakeNow = new Date(tick.getTime() + 100);
    const config = loadControlConfig({ ...stack.env, CONTROL_JOBS_GROUP_ID: `${stack.env.MATERIALIZER_GROUP_ID}-control-jobs`, CONTROL_LOCAL_GATEWAY: 'gw-1' });
    const app = await createControlApp(config, false, {
      providers: [
        ...schedulerProviders(
          { ...schedulerConfig, enabled: true, tickMs: 200 },
          { enabled: true, leaseMs: 60_000, sweepMs: 15_000, materializerGroupId: stack.env.MATERIALIZER_GROUP_ID as string },
        ),
        { provide: SCHEDULER_CLOCK, useValue: clock },
      ],
    });
    try {
      await app.init();
      const [run] = await eventually(async () => {
        const rows = await runsOf(job.id);
        return rows.length > 0 ? rows : undefined;
      }, 'a run fired by the wired scheduler');
      expect(run.id).toBe(scheduledRunId(job.id, tick));
    } finally {
      await app.close();
    }
  });

  // Last: it stops the stack's materializer.
  it('ends nothing while the materializer lags: a read model that is behind is not taken for silent agents', async () => {
    const job = await createJob('lag-job');
    const lagTick = new Date(Math.ceil(Date.parse(job.updated_at) / MINUTE) * MINUTE + MINUTE);
    fakeNow = new Date(lagTick.getTime() + 100);
    // The other tests' jobs may be due at this tick too: pick this job's run.
    const runId = scheduledRunId(job.id, lagTick);
    expect(await newScheduler().tick()).toContain(runId);
    const gateway = bearer(stack.tokens.gateway);
    await eventually(
      async () => ((await http('POST', `${stack.ingestUrl}/api/agent/runs/${runId}/claim`, {}, gateway)).status === 200 ? true : undefined),
      `claim ${runId}`,
    );
    expect((await http('PATCH', `${stack.ingestUrl}/api/agent/runs/${runId}`, { status: 'running' }, gateway)).status).toBe(202);
    // Longer than the fold takes to show a report on a loaded machine (4 s was not, during a full run), so the run is fresh when the materializer stops.
    const leaseMs = 8_000;
    const sweeper = new LeaseSweeper(
      { enabled: false, leaseMs, sweepMs: 250, materializerGroupId: stack.env.MATERIALIZER_GROUP_ID as string },
      control.app.get<symbol, ControlConfig>(CONTROL_CONFIG),
      store,
      control.app.get(ControlEventLog),
    );
    try {
      // A fresh report in the read model first, so that the run is not already past its lease.
      expect((await http('PATCH', `${stack.ingestUrl}/api/agent/runs/${runId}`, { telemetrySummary: { heartbeat: 0 } }, gateway)).status).toBe(202);
      await eventually(async () => {
        const [row] = await store.query(
          z.object({ telemetry_summary: z.string() }),
          'SELECT telemetry_summary FROM {db:Identifier}.runs FINAL WHERE id = {id:String}',
          {
            id: runId,
          },
        );
        return row?.telemetry_summary.includes('heartbeat') ? true : undefined;
      }, 'the first heartbeat in the read model');
      expect(await sweeper.sweep()).toEqual([]);
      await stack.materializer.close();
      // The agent keeps reporting; its reports wait in Kafka, so ClickHouse shows the run silent.
      const startedMs = Date.now();
      const ended: string[] = [];
      while (Date.now() - startedMs < 3 * leaseMs) {
        expect((await http('PATCH', `${stack.ingestUrl}/api/agent/runs/${runId}`, { telemetrySummary: { heartbeat: Date.now() } }, gateway)).status).toBe(202);
        ended.push(...(await sweeper.sweep()));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const [stored] = await store.query(
        z.object({ status: z.string(), updated_at: z.string() }),
        'SELECT status, updated_at FROM {db:Identifier}.runs FINAL WHERE id = {id:String}',
        { id: runId },
      );
      // The read model alone would have ended it: running, last change older than the lease.
      expect(stored.status).toBe('running');
      expect(Date.now() - Date.parse(`${stored.updated_at.replace(' ', 'T')}Z`)).toBeGreaterThan(2 * leaseMs);
      expect(ended).toEqual([]);
    } finally {
      await sweeper.stop();
    }
  });
});
