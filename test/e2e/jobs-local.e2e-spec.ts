import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, http, REPO_ROOT } from '@runstream/testing';
import { scheduledRunId } from '../../apps/control/src/scheduler/schedule-ticks';
import { StackProcess } from '../faults/support/stack-process';

const MINUTE = 60_000;

interface Run {
  id: string;
  status: string;
  triggered_by: string;
  cronjob_name: string;
  job_name: string;
  created_at: string;
}

interface Job {
  id: string;
  name: string;
}

/**
 * Jobs on `npm start`'s wiring: one process (dist/scripts/local.js) holding every role, the
 * scheduler and the agent included, with stand-in `dbt` / `sqlmesh` programs on the agent's
 * PATH. Schedules are `* * * * *`, so the test follows the wall clock: about two minutes.
 */
describe('jobs that really run under npm start: schedule, trigger, agent, kill -9, disable, delete', () => {
  let stack: StackProcess;
  const project = 'proj_jobs_local';
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${stack.userToken()}` });
  const jobsUrl = (): string => `${stack.controlUrl}/api/v1/projects/${project}/jobs`;

  /** A job's runs: the list carries the job's name as cronjob_name. */
  async function runsOf(job: Job): Promise<Run[]> {
    const answer = await http<{ runs: Run[] }>(
      'GET',
      `${stack.queryUrl}/api/v1/projects/${project}/runs?limit=500&include_stats=false&cronjob_name=${job.name}`,
      undefined,
      auth(),
    );
    return answer.body.runs;
  }

  async function createJob(body: { name: string } & Record<string, unknown>): Promise<Job> {
    const created = await http<{ id: string }>('POST', jobsUrl(), body, auth());
    expect(created.status).toBe(201);
    return { id: created.body.id, name: body.name };
  }

  /** The scheduled runs of a job, each checked to carry the id of its tick (exactly one per tick). */
  function scheduledTicks(job: Job, runs: Run[]): string[] {
    const scheduled = runs.filter((run) => run.triggered_by === 'scheduled');
    const ticks = scheduled.map((run) => {
      const stamp = /-(\d{8})-(\d{6})$/.exec(run.job_name);
      if (!stamp) throw new Error(`unexpected job_name ${run.job_name}`);
      const [date, time] = [stamp[1], stamp[2]];
      const tick = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4)}Z`);
      expect(run.id).toBe(scheduledRunId(job.id, tick));
      return tick.toISOString();
    });
    expect(new Set(ticks).size).toBe(ticks.length);
    return ticks.sort();
  }

  beforeAll(async () => {
    stack = await StackProcess.create('jobs-local', {
      AGENT_PATH: join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'bin'),
      AGENT_POLL_INTERVAL_MS: '250',
      LOG_LEVEL: 'warn',
      // The jobs fold's consumer joins its group on the stack's first command; on a busy machine
      // (another test file beside this one) that can outlast the API's usual 10 s decision wait.
      CONTROL_DECISION_TIMEOUT_MS: '60000',
    });
    await stack.start();
    // So the timed part below, which must fit between two minute boundaries, meets a joined fold.
    const warmUp = await createJob({ name: 'warm-up', command: 'dbt run', schedule: '0 2 * * *' });
    expect((await http('DELETE', `${jobsUrl()}/${warmUp.id}`, undefined, auth())).status).toBe(204);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('fires each tick once, runs it on the agent, survives kill -9, stops when disabled and keeps runs after delete', async () => {
    // The jobs are created and triggered between two minute boundaries, so their first tick is one known instant.
    const toBoundary = MINUTE - (Date.now() % MINUTE);
    if (toBoundary < 10_000) await sleep(toBoundary + 100);
    const createdFrom = Date.now();
    const dbtJob = await createJob({ name: 'orders-dbt', command: 'dbt build --select orders', schedule: '* * * * *', environment: { DBT_TARGET: 'dev' } });
    const sqlmeshJob = await createJob({ name: 'sushi-sqlmesh', command: 'sqlmesh run', schedule: '* * * * *' });
    // No program on the PATH the job gives its process: the agent must say so.
    const missingJob = await createJob({ name: 'no-dbt', command: 'dbt run', schedule: '0 2 * * *', environment: { PATH: '/nonexistent-runstream-bin' } });

    const manual = await http<{ job_run_id: string; job_name: string; status: string }>('POST', `${jobsUrl()}/${dbtJob.id}/trigger`, undefined, auth());
    expect(manual.status).toBe(201);
    // A manual trigger's name carries a tag of its run: two triggers in one second stay apart.
    expect(manual.body.job_name).toMatch(new RegExp(`^${project}-orders-dbt-\\d{8}-\\d{6}-[0-9a-f]{8}$`));
    const missing = await http<{ job_run_id: string }>('POST', `${jobsUrl()}/${missingJob.id}/trigger`, undefined, auth());
    expect(missing.status).toBe(201);

    // The first tick after creation: a scheduled run of each job, executed by the agent.
    const firstTick = new Date(Math.ceil(Date.now() / MINUTE) * MINUTE);
    expect(new Date(Math.ceil(createdFrom / MINUTE) * MINUTE)).toEqual(firstTick);
    const dbtRuns = await eventually(
      async () => {
        const runs = (await runsOf(dbtJob)).filter((run) => run.triggered_by === 'scheduled' && run.status === 'success');
        return runs.length > 0 ? runs : undefined;
      },
      'a scheduled dbt run to succeed',
      100_000,
      500,
    );
    await eventually(
      async () => ((await runsOf(sqlmeshJob)).some((run) => run.triggered_by === 'scheduled' && run.status === 'success') ? true : undefined),
      'a scheduled sqlmesh run',
      30_000,
      500,
    );
    // The oldest (newest first): a later tick's run may have succeeded too by the time the list is read.
    const dbtRun = dbtRuns[dbtRuns.length - 1];
    expect(dbtRun.id).toBe(scheduledRunId(dbtJob.id, firstTick));
    expect(dbtRun.job_name).toBe(`${project}-orders-dbt-${firstTick.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`);

    const logs = await http<{ logs: { level: string; message: string }[]; total: number }>(
      'GET',
      `${stack.queryUrl}/api/v1/runs/${dbtRun.id}/logs`,
      undefined,
      auth(),
    );
    expect(logs.body.logs.map((entry) => entry.message).join('\n')).toContain('Completed successfully');
    const detail = await http<{ status: string; jobId: string; triggeredBy: string; logEntries: unknown[] }>(
      'GET',
      `${stack.queryUrl}/api/elt/runs/${dbtRun.id}`,
      undefined,
      auth(),
    );
    expect(detail.body).toMatchObject({ status: 'success', jobId: dbtJob.id, triggeredBy: 'scheduled' });
    expect(detail.body.logEntries.length).toBeGreaterThan(0);

    const manualRun = await eventually(
      async () => (await runsOf(dbtJob)).find((run) => run.id === manual.body.job_run_id && run.status === 'success'),
      'the manual run to succeed',
      30_000,
      500,
    );
    expect(manualRun.triggered_by).toBe('manual');
    const missingRun = await eventually(
      async () => {
        const answer = await http<{ status: string; errorSummary: string }>(
          'GET',
          `${stack.queryUrl}/api/elt/runs/${missing.body.job_run_id}`,
          undefined,
          auth(),
        );
        return answer.body.status === 'failed' ? answer.body : undefined;
      },
      'the run without a program to fail',
      30_000,
      500,
    );
    expect(missingRun.errorSummary).toContain("dbt: command not found on the agent's PATH");

    // kill -9 of every role at once, then a restart on the same data: no tick is fired twice.
    await stack.signal('SIGKILL');
    await stack.start();
    const disabled = await http<{ enabled: boolean }>('PUT', `${jobsUrl()}/${dbtJob.id}`, { enabled: false }, auth());
    expect(disabled.body.enabled).toBe(false);
    const disabledAt = Date.now();
    const nextTick = new Date(Math.ceil(disabledAt / MINUTE) * MINUTE);
    await eventually(
      async () => {
        const runs = await runsOf(sqlmeshJob);
        return runs.some((run) => run.id === scheduledRunId(sqlmeshJob.id, nextTick) && run.status === 'success') ? true : undefined;
      },
      'the sqlmesh job to run at the tick after the restart',
      100_000,
      500,
    );

    const dbtTicks = scheduledTicks(dbtJob, await runsOf(dbtJob));
    expect(dbtTicks.every((tick) => Date.parse(tick) < disabledAt)).toBe(true);
    const sqlmeshTicks = scheduledTicks(sqlmeshJob, await runsOf(sqlmeshJob));
    expect(sqlmeshTicks).toContain(firstTick.toISOString());
    expect(sqlmeshTicks).toContain(nextTick.toISOString());

    // No more ticks, and every run ended: the counts below cannot move while they are read.
    expect((await http('PUT', `${jobsUrl()}/${sqlmeshJob.id}`, { enabled: false }, auth())).status).toBe(200);
    await eventually(
      async () => {
        const runs = [...(await runsOf(dbtJob)), ...(await runsOf(sqlmeshJob))];
        return runs.every((run) => run.status === 'success') ? true : undefined;
      },
      'every run to end',
      60_000,
      500,
    );
    const today = new Date().toISOString().slice(0, 10);
    const daily = await http<{ daily_stats: { date: string; total_runs: number; success_count: number }[] }>(
      'GET',
      `${stack.queryUrl}/api/v1/projects/${project}/runs/daily-stats?days=2`,
      undefined,
      auth(),
    );
    const allRuns = [...(await runsOf(dbtJob)), ...(await runsOf(sqlmeshJob)), ...(await runsOf(missingJob))];
    const todays = daily.body.daily_stats.find((day) => day.date === today);
    expect(todays?.total_runs).toBe(allRuns.filter((run) => run.created_at.startsWith(today)).length);
    expect(todays?.success_count).toBe(allRuns.filter((run) => run.created_at.startsWith(today) && run.status === 'success').length);

    expect((await http('DELETE', `${jobsUrl()}/${dbtJob.id}`, undefined, auth())).status).toBe(204);
    const listed = await http<{ jobs: { id: string }[] }>('GET', jobsUrl(), undefined, auth());
    expect(listed.body.jobs.map((job) => job.id).sort()).toEqual([missingJob.id, sqlmeshJob.id].sort());
    const kept = await http<{ id: string; job_id: string }>('GET', `${stack.queryUrl}/api/v1/runs/${dbtRun.id}`, undefined, auth());
    expect(kept.status).toBe(200);
    expect(kept.body.job_id).toBe(dbtJob.id);
  }, 300_000);
});
