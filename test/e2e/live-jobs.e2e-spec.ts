import { eventually, http } from '@runstream/testing';
import { bearer, startStack, Stack } from '../support/stack';
import { ControlInstance, startControl } from './support-control';

interface LiveJob {
  id: string;
  project: string;
  status: string;
  start_time: string | null;
}

/** GET /api/v1/jobs… on the local backend: the agent's runs of jobs and their stored log lines. */
describe('live executions on the local backend', () => {
  let stack: Stack;
  let control: ControlInstance;
  const projectId = `proj_live_${Date.now()}`;
  const user = () => bearer(stack.tokens.user);
  const gateway = () => bearer(stack.tokens.gateway);

  beforeAll(async () => {
    stack = await startStack('live-jobs');
    // Runs are targeted at gw-1, the gateway of the stack's gateway token.
    control = await startControl(stack, { CONTROL_LOCAL_GATEWAY: 'gw-1', CONTROL_SCHEDULER_ENABLED: 'false' });
  });

  afterAll(async () => {
    await control?.app.close();
    await stack?.close();
  });

  it('lists a triggered run as an execution, follows its status and serves its log tail', async () => {
    const job = await http<{ id: string }>(
      'POST',
      `${control.url}/api/v1/projects/${projectId}/jobs`,
      { name: 'nightly', command: 'dbt build', schedule: '0 2 * * *' },
      user(),
    );
    expect(job.status).toBe(201);
    const triggered = await http<{ job_run_id: string; job_name: string }>(
      'POST',
      `${control.url}/api/v1/projects/${projectId}/jobs/${job.body.id}/trigger`,
      undefined,
      user(),
    );
    expect(triggered.status).toBe(201);
    const name = triggered.body.job_name;

    const listed = await eventually(async () => {
      const answer = await http<{ jobs: LiveJob[]; total: number }>('GET', `${control.url}/api/v1/jobs?project=${projectId}`, undefined, user());
      // The page and the total are two reads: wait until both see the run.
      return answer.body.total === 1 && answer.body.jobs.length === 1 ? answer.body : undefined;
    }, 'the execution to be listed');
    expect(listed.jobs).toEqual([{ id: name, project: projectId, status: 'pending', start_time: null }]);

    const claim = await http('POST', `${stack.ingestUrl}/api/agent/runs/${triggered.body.job_run_id}/claim`, { claimId: 'live-1' }, gateway());
    expect(claim.status).toBe(200);
    // The last entry holds two lines, as an agent's batch of a program's output does: `tail` counts lines.
    for (const message of ['one', 'two', 'three\nfour']) {
      expect(
        (
          await http(
            'PATCH',
            `${stack.ingestUrl}/api/agent/runs/${triggered.body.job_run_id}`,
            { status: 'running', appendLog: { level: 'info', message } },
            gateway(),
          )
        ).status,
      ).toBe(202);
    }
    const running = await eventually(async () => {
      const answer = await http<LiveJob & { run_id: string; job_id: string }>('GET', `${control.url}/api/v1/jobs/${name}`, undefined, user());
      return answer.body.status === 'running' ? answer.body : undefined;
    }, 'the execution to run');
    expect(running).toMatchObject({ id: name, run_id: triggered.body.job_run_id, job_id: job.body.id, project: projectId });
    expect(running.start_time).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const logs = await eventually(async () => {
      const answer = await http<{ id: string; pod: null; lines: string[] }>('GET', `${control.url}/api/v1/jobs/${name}/logs?tail=2`, undefined, user());
      return answer.body.lines?.length === 2 ? answer.body : undefined;
    }, 'the log tail');
    expect(logs.pod).toBeNull();
    expect(logs.lines[0]).toMatch(/ info three$/);
    expect(logs.lines[1]).toMatch(/ info four$/);

    const byStatus = await http<{ jobs: LiveJob[]; total: number }>('GET', `${control.url}/api/v1/jobs?status=pending&project=${projectId}`, undefined, user());
    expect(byStatus.body.total).toBe(0);
  });

  it('answers 404 for an unknown execution or another organisation, 400 naming a bad parameter', async () => {
    expect((await http('GET', `${control.url}/api/v1/jobs/nope-20260101-000000`, undefined, user())).status).toBe(404);
    const others = await http<{ total: number }>('GET', `${control.url}/api/v1/jobs?project=${projectId}`, undefined, bearer(stack.tokens.otherOrg));
    expect(others.body.total).toBe(0);
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['status=done', 'status'],
    ]) {
      const answer = await http<{ message: string }>('GET', `${control.url}/api/v1/jobs?${query}`, undefined, user());
      expect(answer.status).toBe(400);
      expect(answer.body.message).toContain(field);
    }
    expect((await http('GET', `${control.url}/api/v1/jobs/x/logs?tail=0`, undefined, user())).status).toBe(400);
  });
});
