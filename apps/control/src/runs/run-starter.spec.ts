import { JobRow } from '@runstream/clickhouse';
import { RunEventEnvelope } from '@runstream/events';
import { ControlEventLog } from '../events/control-event-log';
import { RunExecutor } from './run-executor';
import { newRunId, RunNotLaunchedError, RunStarter } from './run-starter';
import { runJobName } from './run-names';

describe('run names and ids', () => {
  it('names a run <project>-<job>-<YYYYMMDD-HHMMSS> in UTC', () => {
    expect(runJobName('analytics', 'nightly-refresh', new Date('2026-04-28T12:00:00.999Z'))).toBe('analytics-nightly-refresh-20260428-120000');
    expect(runJobName('p', 'j', new Date('2026-01-02T03:04:05+02:00'))).toBe('p-j-20260102-010405');
  });

  it('mints run_ + 32 hex, different each time', () => {
    const [a, b] = [newRunId(), newRunId()];
    expect(a).toMatch(/^run_[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });
});

describe('RunStarter', () => {
  const job = { id: 'job_1', name: 'nightly', command: 'dbt build' } as JobRow;
  const placement = { target_gateway: '', namespace: 'runstream-org', cronjob_name: 'proj-nightly', job_name: 'proj-nightly-20260428-120000-0a1b2c3d' };

  function starter(launch: () => Promise<void>): { starter: RunStarter; events: RunEventEnvelope[] } {
    const events: RunEventEnvelope[] = [];
    const log = { appendRunEvent: async (event: RunEventEnvelope) => void events.push(event) } as unknown as ControlEventLog;
    const executor: RunExecutor = { place: () => placement, launch, definitionsChanged: async () => undefined };
    return { starter: new RunStarter(log, executor), events };
  }

  it('ends a run its executor would not launch as error, and says so, instead of leaving it pending', async () => {
    const { starter: refusing, events } = starter(async () => {
      throw new Error('jobs.batch "proj-nightly-20260428-120000-0a1b2c3d" already exists');
    });
    const error = await refusing.start({ orgId: 'org', projectId: 'proj', actor: 'tok', job, triggeredBy: 'manual' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunNotLaunchedError);
    expect((error as RunNotLaunchedError).ended).toBe(true);
    expect(events.map((event) => event.type)).toEqual(['run.created', 'run.patched']);
    expect(events[1]).toMatchObject({
      run_id: (error as RunNotLaunchedError).runId,
      payload: { status: 'error', error_summary: 'not launched: jobs.batch "proj-nightly-20260428-120000-0a1b2c3d" already exists' },
    });
  });

  it('launches again after a failure, which may have been a lost answer, before ending the run', async () => {
    let attempts = 0;
    const { starter: flaky, events } = starter(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('socket hang up');
    });
    await flaky.start({ orgId: 'org', projectId: 'proj', actor: 'tok', job, triggeredBy: 'manual' });
    expect(attempts).toBe(2);
    expect(events.map((event) => event.type)).toEqual(['run.created']);
  });

  it('answers with the run once it is launched', async () => {
    const { starter: launching, events } = starter(async () => undefined);
    const started = await launching.start({ orgId: 'org', projectId: 'proj', actor: 'tok', job, triggeredBy: 'manual' });
    expect(started.jobName).toBe(placement.job_name);
    expect(events.map((event) => [event.type, event.run_id])).toEqual([['run.created', started.runId]]);
  });
});
