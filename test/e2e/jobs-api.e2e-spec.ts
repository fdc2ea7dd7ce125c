import { ClickHouseStore, findJob, anyRow } from '@runstream/clickhouse';
import { eventually, http } from '@runstream/testing';
import { bearer, startStack, Stack } from '../support/stack';
import { ControlInstance, startControl } from './support-control';

interface Job {
  id: string;
  project_id: string;
  name: string;
  command: string;
  schedule: string;
  enabled: boolean;
  environment: Record<string, string>;
  webhook_headers: Record<string, string>;
  created_at: string;
  updated_at: string;
  [field: string]: unknown;
}

interface ErrorBody {
  message: string;
  errors?: { field: string; reasons: string[] }[];
}

describe('Jobs API: definitions through the jobs fold, read-your-writes, unique names, triggers', () => {
  let stack: Stack;
  let control: ControlInstance;
  let second: ControlInstance;
  const projectId = `proj_${Date.now()}`;

  beforeAll(async () => {
    stack = await startStack('jobs-api');
    control = await startControl(stack);
    second = await startControl(stack);
  });

  afterAll(async () => {
    await second?.app.close();
    await control?.app.close();
    await stack?.close();
  });

  const auth = () => bearer(stack.tokens.user);
  const jobsUrl = (base = control.url, project = projectId) => `${base}/api/v1/projects/${project}/jobs`;
  const list = async (base = control.url) => (await http<{ jobs: Job[]; total: number }>('GET', jobsUrl(base), undefined, auth())).body;

  it('creates with the reference defaults, and a GET right after each write reflects it', async () => {
    const created = await http<Job>('POST', jobsUrl(), { name: 'nightly-refresh', command: "sqlmesh run --select-model '*'", schedule: '0 2 * * *' }, auth());
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^job_[0-9a-f]{32}$/),
      project_id: projectId,
      name: 'nightly-refresh',
      description: '',
      command: "sqlmesh run --select-model '*'",
      schedule: '0 2 * * *',
      timezone: 'UTC',
      enabled: true,
      resources: {},
      environment: {},
      slack_channel: '',
      slack_alerts_enabled: false,
      slack_alert_on_success: false,
      webhook_url: '',
      webhook_headers: {},
      webhook_events: [],
      webhook_enabled: false,
      created_at: expect.any(String),
      updated_at: created.body.created_at,
      // Shown in this answer only (job-webhook-secret.e2e-spec.ts).
      webhook_secret: expect.stringMatching(/^whsec_/),
    });
    const jobId = created.body.id;
    // Read-your-writes on the other instance too: no wait.
    expect((await list(second.url)).jobs.map((job) => job.id)).toContain(jobId);

    const updated = await http<Job>('PUT', `${jobsUrl()}/${jobId}`, { enabled: false, description: 'Nightly' }, auth());
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: jobId, enabled: false, description: 'Nightly', command: "sqlmesh run --select-model '*'", schedule: '0 2 * * *' });
    expect(updated.body.updated_at > created.body.updated_at).toBe(true);
    expect((await list(second.url)).jobs.find((job) => job.id === jobId)).toMatchObject({ enabled: false, description: 'Nightly' });

    const removed = await http('DELETE', `${jobsUrl()}/${jobId}`, undefined, auth());
    expect(removed.status).toBe(204);
    expect((await list(second.url)).jobs.map((job) => job.id)).not.toContain(jobId);
    expect((await http('PUT', `${jobsUrl()}/${jobId}`, { enabled: true }, auth())).status).toBe(404);
    expect((await http('DELETE', `${jobsUrl()}/${jobId}`, undefined, auth())).status).toBe(404);
    expect((await http('POST', `${jobsUrl()}/${jobId}/trigger`, undefined, auth())).status).toBe(404);
  });

  it('lists live jobs ordered by name with their total', async () => {
    const project = `${projectId}-list`;
    for (const name of ['zeta', 'alpha', 'mid']) {
      expect((await http('POST', jobsUrl(control.url, project), { name, command: 'dbt build', schedule: '@daily' }, auth())).status).toBe(201);
    }
    const listed = (await http<{ jobs: Job[]; total: number }>('GET', jobsUrl(second.url, project), undefined, auth())).body;
    expect(listed.jobs.map((job) => job.name)).toEqual(['alpha', 'mid', 'zeta']);
    expect(listed.total).toBe(3);
    // Another organisation sees nothing, and cannot touch them.
    const other = await http<{ jobs: Job[]; total: number }>('GET', jobsUrl(control.url, project), undefined, bearer(stack.tokens.otherOrg));
    expect(other.body).toEqual({ jobs: [], total: 0 });
    expect((await http('PUT', `${jobsUrl(control.url, project)}/${listed.jobs[0].id}`, { enabled: false }, bearer(stack.tokens.otherOrg))).status).toBe(404);
    expect((await http('DELETE', `${jobsUrl(control.url, project)}/${listed.jobs[0].id}`, undefined, bearer(stack.tokens.otherOrg))).status).toBe(404);
  });

  it('gives a name to exactly one of two concurrent POSTs, on one instance and across two', async () => {
    const body = (name: string) => ({ name, command: 'dbt run', schedule: '*/5 * * * *' });
    for (const [first, other, name] of [
      [control.url, control.url, 'race-one'],
      [control.url, second.url, 'race-two'],
    ]) {
      const answers = await Promise.all([
        http<ErrorBody>('POST', jobsUrl(first), body(name), auth()),
        http<ErrorBody>('POST', jobsUrl(other), body(name), auth()),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
      const conflict = answers.find((a) => a.status === 409);
      expect(conflict?.body.errors?.[0].field).toBe('name');
      expect((await list()).jobs.filter((job) => job.name === name)).toHaveLength(1);
    }
    // A rename onto a taken name is a 409 too; the name is free again once its job is deleted.
    const mover = await http<Job>('POST', jobsUrl(), body('race-mover'), auth());
    expect((await http('PUT', `${jobsUrl()}/${mover.body.id}`, { name: 'race-one' }, auth())).status).toBe(409);
    const holder = (await list()).jobs.find((job) => job.name === 'race-one');
    expect((await http('DELETE', `${jobsUrl()}/${holder?.id}`, undefined, auth())).status).toBe(204);
    expect((await http<Job>('PUT', `${jobsUrl()}/${mover.body.id}`, { name: 'race-one' }, auth())).body.name).toBe('race-one');
  });

  it('never answers secrets in clear, and keeps a secret that is sent back masked', async () => {
    const created = await http<Job>(
      'POST',
      jobsUrl(),
      {
        name: 'secretive',
        command: 'dbt build --select tag:nightly',
        schedule: '@hourly',
        environment: { DBT_PASSWORD: 's3cr3t-value', TARGET: 'prod' },
        webhook_url: 'https://hooks.example.com/x',
        webhook_headers: { Authorization: 'Bearer tok-123' },
        webhook_events: ['success', 'failure'],
        webhook_enabled: true,
      },
      auth(),
    );
    expect(created.status).toBe(201);
    expect(created.body.environment).toEqual({ DBT_PASSWORD: '********', TARGET: '********' });
    expect(created.body.webhook_headers).toEqual({ Authorization: '********' });
    const everyAnswer = [created.body, (await list()).jobs];
    const updated = await http<Job>('PUT', `${jobsUrl()}/${created.body.id}`, { environment: { ...created.body.environment, EXTRA: 'x' } }, auth());
    everyAnswer.push(updated.body);
    for (const answer of everyAnswer) {
      expect(JSON.stringify(answer)).not.toContain('s3cr3t-value');
      expect(JSON.stringify(answer)).not.toContain('tok-123');
    }
    expect(updated.body.environment).toEqual({ DBT_PASSWORD: '********', TARGET: '********', EXTRA: '********' });
    const stored = await findJob(control.app.get(ClickHouseStore), stack.orgId, projectId, created.body.id);
    expect(JSON.parse(stored?.environment ?? '{}')).toEqual({ DBT_PASSWORD: 's3cr3t-value', TARGET: 'prod', EXTRA: 'x' });
    // A client sends back the whole object it read, read-only fields included, changing one value: the secrets stay.
    const read = (await list()).jobs.find((job) => job.id === created.body.id) as Job;
    const putBack = await http<Job>('PUT', `${jobsUrl()}/${read.id}`, { ...read, description: 'edited' }, auth());
    expect(putBack.status).toBe(200);
    expect(putBack.body).toMatchObject({ id: read.id, description: 'edited', created_at: read.created_at });
    const kept = await findJob(control.app.get(ClickHouseStore), stack.orgId, projectId, created.body.id);
    expect(JSON.parse(kept?.environment ?? '{}')).toEqual({ DBT_PASSWORD: 's3cr3t-value', TARGET: 'prod', EXTRA: 'x' });
    const another = await http<{ errors: { field: string }[] }>('PUT', `${jobsUrl()}/${read.id}`, { ...read, id: 'job_other', project_id: 'p9' }, auth());
    expect(another.status).toBe(400);
    expect(another.body.errors.map((error) => error.field)).toEqual(['id', 'project_id']);
    // The BI view names the keys, never the values.
    const [view] = await control.app
      .get(ClickHouseStore)
      .query(anyRow, 'SELECT * FROM {db:Identifier}.jobs_current WHERE id = {id:String}', { id: created.body.id });
    expect(view).toMatchObject({
      name: 'secretive',
      environment_keys: ['DBT_PASSWORD', 'EXTRA', 'TARGET'],
      webhook_header_names: ['Authorization'],
      webhook_host: 'hooks.example.com',
    });
    expect(JSON.stringify(view)).not.toMatch(/s3cr3t-value|tok-123/);
    // The create answer, secret included, goes back as it is; another secret is refused, not taken.
    const createdBack = await http<Job>('PUT', `${jobsUrl()}/${read.id}`, { ...created.body, description: 'from the create answer' }, auth());
    expect(createdBack.status).toBe(200);
    expect(createdBack.body).not.toHaveProperty('webhook_secret');
    const otherSecret = await http<{ errors: { field: string }[] }>(
      'PUT',
      `${jobsUrl()}/${read.id}`,
      { ...created.body, webhook_secret: 'whsec_other' },
      auth(),
    );
    expect(otherSecret.status).toBe(400);
    expect(otherSecret.body.errors.map((error) => error.field)).toEqual(['webhook_secret']);
  });

  it('answers 400 naming the field for bad bodies and dbt-only fields on SQLMesh jobs', async () => {
    const cases: [unknown, string][] = [
      [{ command: 'dbt build', schedule: '@daily' }, 'name'],
      [{ name: 'Bad_Name', command: 'dbt build', schedule: '@daily' }, 'name'],
      [{ name: 'x', command: 'dbt build; rm -rf /', schedule: '@daily' }, 'command'],
      [{ name: 'x', command: 'dbt frobnicate', schedule: '@daily' }, 'command'],
      [{ name: 'x', command: 'dbt build', schedule: '0 0 * *' }, 'schedule'],
      [{ name: 'x', command: 'dbt build', schedule: '@daily', unknown: 1 }, 'unknown'],
      [{ name: 'x', command: 'sqlmesh run', schedule: '@daily', webhook_enabled: true }, 'webhook_enabled'],
      [{ name: 'x', command: 'dbt build', schedule: '@daily', webhook_headers: { 'X-Note': 'a\r\nX-Injected: b' } }, 'webhook_headers'],
      [{ name: 'x', command: 'dbt build', schedule: '@daily', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }, 'resources.requests.cpu'],
    ];
    for (const [body, field] of cases) {
      const answer = await http<ErrorBody>('POST', jobsUrl(), body, auth());
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.body.errors?.map((error) => error.field)).toContain(field);
    }
  });

  it('triggers a run that the read API serves with triggered_by manual, the job id and the reference job name tagged with the run; delete keeps it readable', async () => {
    const job = (
      await http<Job>('POST', jobsUrl(), { name: 'on-demand', command: 'dbt build --select tag:core', schedule: '0 3 * * *', enabled: false }, auth())
    ).body;
    const before = Date.now();
    const triggered = await http<{ job_run_id: string; job_name: string; status: string; message: string }>(
      'POST',
      `${jobsUrl()}/${job.id}/trigger`,
      undefined,
      auth(),
    );
    expect(triggered.status).toBe(201);
    expect(triggered.body).toEqual({
      job_run_id: expect.stringMatching(/^run_[0-9a-f]{32}$/),
      job_name: expect.stringMatching(new RegExp(`^${projectId}-on-demand-\\d{8}-\\d{6}-[0-9a-f]{8}$`)),
      status: 'pending',
      message: 'Run triggered successfully',
    });
    const stamp = /(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-[0-9a-f]{8}$/.exec(triggered.body.job_name)?.slice(1).map(Number) ?? [];
    const named = Date.UTC(stamp[0], stamp[1] - 1, stamp[2], stamp[3], stamp[4], stamp[5]);
    expect(named).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(named).toBeLessThanOrEqual(Date.now());

    // Answered once readable: a GET right after the answer finds the run (the reference's client stops on a 404).
    const runId = triggered.body.job_run_id;
    const read = await http<Record<string, unknown>>('GET', `${stack.queryUrl}/api/v1/runs/${runId}`, undefined, auth());
    expect(read.status).toBe(200);
    const run = read.body;
    expect(run).toMatchObject({
      id: runId,
      project_id: projectId,
      job_id: job.id,
      job_name: triggered.body.job_name,
      cronjob_name: 'on-demand',
      job_type: 'run',
      status: 'pending',
      triggered_by: 'manual',
    });
    const runs = await http<{ runs: { id: string }[] }>('GET', `${stack.queryUrl}/api/v1/projects/${projectId}/runs`, undefined, auth());
    expect(runs.body.runs.map((r) => r.id)).toContain(runId);

    const override = await http<{ job_run_id: string }>('POST', `${jobsUrl()}/${job.id}/trigger`, { command_override: 'dbt test --select tag:core' }, auth());
    expect(override.status).toBe(201);
    expect((await http<ErrorBody>('POST', `${jobsUrl()}/${job.id}/trigger`, { command_override: 'sqlmesh run' }, auth())).body.errors?.[0].field).toBe(
      'command_override',
    );

    expect((await http('DELETE', `${jobsUrl()}/${job.id}`, undefined, auth())).status).toBe(204);
    const after = await http<{ id: string; job_id: string }>('GET', `${stack.queryUrl}/api/v1/runs/${runId}`, undefined, auth());
    expect(after).toMatchObject({ status: 200, body: { id: runId, job_id: job.id } });
  });

  it("never hands an agent a pending run of a deleted job: the agent's poll ends it cancelled, and lists the live job's run with its environment", async () => {
    const gw1 = await startControl(stack, { CONTROL_LOCAL_GATEWAY: 'gw-1' });
    try {
      const create = async (name: string) =>
        (await http<Job>('POST', jobsUrl(gw1.url), { name, command: 'dbt run', schedule: '@daily', environment: { DBT_TARGET: name } }, auth())).body.id;
      const trigger = async (jobId: string) =>
        (await http<{ job_run_id: string }>('POST', `${jobsUrl(gw1.url)}/${jobId}/trigger`, undefined, auth())).body.job_run_id;
      const [gone, kept] = [await create('deleted-before-start'), await create('still-here')];
      const [orphan, live] = [await trigger(gone), await trigger(kept)];
      expect((await http('DELETE', `${jobsUrl(gw1.url)}/${gone}`, undefined, auth())).status).toBe(204);

      const polled = await http<{ runs: { id: string; command: string[]; environment: Record<string, string> }[] }>(
        'GET',
        `${stack.ingestUrl}/api/agent/runs?limit=100`,
        undefined,
        bearer(stack.tokens.gateway),
      );
      expect(polled.status).toBe(200);
      expect(polled.body.runs.map((run) => run.id)).not.toContain(orphan);
      expect(polled.body.runs.find((run) => run.id === live)).toMatchObject({ command: ['dbt', 'run'], environment: { DBT_TARGET: 'still-here' } });
      const ended = await eventually(async () => {
        const run = await http<{ status: string; errorSummary: string }>('GET', `${stack.queryUrl}/api/elt/runs/${orphan}`, undefined, auth());
        return run.body.status === 'cancelled' ? run.body : undefined;
      }, 'the orphaned run cancelled');
      expect(ended.errorSummary).toBe(`job ${gone} was deleted before this run started`);
    } finally {
      await gw1.app.close();
    }
  });

  it("caps an organisation's live jobs across its projects (409 naming the setting), and a delete frees a place and drops the job's secrets", async () => {
    const capped = await startControl(stack, { CONTROL_MAX_JOBS_PER_ORG: '2' });
    try {
      const other = () => bearer(stack.tokens.otherOrg);
      const create = (project: string, name: string) =>
        http<Job & ErrorBody>(
          'POST',
          jobsUrl(capped.url, project),
          { name, command: 'dbt build', schedule: '@daily', environment: { PASSWORD: 'pw-1' } },
          other(),
        );
      const first = await create('cap-a', 'one');
      expect([first.status, (await create('cap-b', 'two')).status]).toEqual([201, 201]);
      const refused = await create('cap-c', 'three');
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain('CONTROL_MAX_JOBS_PER_ORG');
      expect((await http('DELETE', `${jobsUrl(capped.url, 'cap-a')}/${first.body.id}`, undefined, other())).status).toBe(204);
      expect((await create('cap-c', 'three')).status).toBe(201);
      const [deleted] = await capped.app
        .get(ClickHouseStore)
        .query(anyRow, 'SELECT deleted, name, environment, webhook_secret FROM {db:Identifier}.jobs FINAL WHERE id = {id:String}', { id: first.body.id });
      expect(deleted).toEqual({ deleted: 1, name: 'one', environment: '{}', webhook_secret: '' });
    } finally {
      await capped.app.close();
    }
  });
});
