import { activeWebhookSecrets, JobRow } from '@runstream/clickhouse';
import { AnyJobEvent, JOB_SPEC_DEFAULTS, JobEventPayloads, JobEventType, JobSpec } from '@runstream/events';
import { SECRET_MASK } from '../job.response';
import { foldJobEvent, MAX_LIVE_JOBS_PER_PROJECT, ProjectJobs } from './job-fold';

let offset = 0;
const spec = (name: string, extra: Partial<JobSpec> = {}): JobSpec => ({ ...JOB_SPEC_DEFAULTS, name, command: 'dbt build', schedule: '@daily', ...extra });

function event<T extends JobEventType>(type: T, jobId: string, payload: Omit<JobEventPayloads[T], 'request_id'>): AnyJobEvent {
  offset += 1;
  return {
    event_id: '0',
    type,
    schema_version: 1,
    org_id: 'org',
    project_id: 'proj',
    job_id: jobId,
    occurred_at: `2026-04-28T12:00:${String(offset % 60).padStart(2, '0')}.000Z`,
    actor: 'tok',
    payload: { ...payload, request_id: `req_${offset}` },
  } as AnyJobEvent;
}

/** Applies events in order like the fold service, returning the outcomes. */
function fold(jobs: ProjectJobs, ...events: AnyJobEvent[]): string[] {
  return events.map((e) => {
    const result = foldJobEvent(jobs, e, { partition: 0, offset: String(Number(e.payload.request_id.slice(4))) }, new Date());
    if (result.row) jobs.set(result.row.id, result.row);
    return result.command.outcome;
  });
}

describe('jobs fold: the single writer decides every command in log order', () => {
  it('gives a name to the first creator only, frees it on delete, refuses renames onto it', () => {
    const jobs: ProjectJobs = new Map();
    expect(fold(jobs, event('job.created', 'job_a', { spec: spec('nightly') }), event('job.created', 'job_b', { spec: spec('nightly') }))).toEqual([
      'applied',
      'conflict',
    ]);
    expect(jobs.has('job_b')).toBe(false);
    expect(fold(jobs, event('job.created', 'job_c', { spec: spec('other') }), event('job.updated', 'job_c', { changes: { name: 'nightly' } }))).toEqual([
      'applied',
      'conflict',
    ]);
    expect(fold(jobs, event('job.deleted', 'job_a', {}), event('job.updated', 'job_c', { changes: { name: 'nightly' } }))).toEqual(['applied', 'applied']);
    expect(jobs.get('job_c')?.name).toBe('nightly');
    expect(jobs.get('job_a')?.deleted).toBe(1);
  });

  it('refuses a change that breaks the dbt-only rule against a change folded before it (two PUTs racing)', () => {
    const jobs: ProjectJobs = new Map();
    fold(jobs, event('job.created', 'job_r', { spec: spec('r') }));
    // Each PUT passed the handler's check against the dbt job it read; the second folded loses.
    expect(
      fold(
        jobs,
        event('job.updated', 'job_r', { changes: { command: 'sqlmesh run' } }),
        event('job.updated', 'job_r', { changes: { webhook_url: 'https://hooks.example/r' } }),
      ),
    ).toEqual(['applied', 'refused']);
    expect(jobs.get('job_r')).toMatchObject({ command: 'sqlmesh run', webhook_url: '' });
    const refused = foldJobEvent(jobs, event('job.updated', 'job_r', { changes: { webhook_enabled: true } }), { partition: 0, offset: '999' }, new Date());
    expect(JSON.parse(refused.command.reason)).toEqual([{ field: 'webhook_enabled', reasons: [expect.stringContaining('dbt jobs only')] }]);
  });

  it('refuses a create in a project holding the most live jobs, until one is deleted', () => {
    const jobs: ProjectJobs = new Map();
    for (let i = 0; i < MAX_LIVE_JOBS_PER_PROJECT; i += 1) fold(jobs, event('job.created', `job_${i}`, { spec: spec(`j-${i}`) }));
    expect(fold(jobs, event('job.created', 'job_over', { spec: spec('over') }))).toEqual(['full']);
    expect(jobs.has('job_over')).toBe(false);
    expect(fold(jobs, event('job.deleted', 'job_0', {}), event('job.created', 'job_over', { spec: spec('over') }))).toEqual(['applied', 'applied']);
  });

  it("drops a deleted job's environment, headers and signing secrets, keeping what its past runs are read by", () => {
    const jobs: ProjectJobs = new Map();
    fold(
      jobs,
      event('job.created', 'job_d', {
        spec: spec('d', { environment: { PASSWORD: 'p' }, webhook_headers: { Authorization: 'x' } }),
        webhook_secret: 'whsec_d',
      }),
    );
    fold(jobs, event('job.deleted', 'job_d', {}));
    expect(jobs.get('job_d')).toMatchObject({
      deleted: 1,
      name: 'd',
      command: 'dbt build',
      environment: '{}',
      webhook_headers: '{}',
      webhook_secret: '',
      webhook_previous_secret: '',
    });
  });

  it('answers not_found for unknown and deleted jobs', () => {
    const jobs: ProjectJobs = new Map();
    expect(fold(jobs, event('job.updated', 'job_x', { changes: { enabled: false } }), event('job.deleted', 'job_x', {}))).toEqual(['not_found', 'not_found']);
    fold(jobs, event('job.created', 'job_y', { spec: spec('y') }), event('job.deleted', 'job_y', {}));
    expect(fold(jobs, event('job.updated', 'job_y', { changes: { enabled: false } }), event('job.deleted', 'job_y', {}))).toEqual(['not_found', 'not_found']);
  });

  it('changes only supplied fields, keeps created_at, and keeps a secret sent back masked', () => {
    const jobs: ProjectJobs = new Map();
    fold(jobs, event('job.created', 'job_s', { spec: spec('s', { environment: { PASSWORD: 'p', TARGET: 'dev' }, description: 'd' }) }));
    const created = jobs.get('job_s') as JobRow;
    fold(jobs, event('job.updated', 'job_s', { changes: { environment: { PASSWORD: SECRET_MASK, TARGET: 'prod', NEW: SECRET_MASK } } }));
    const updated = jobs.get('job_s') as JobRow;
    expect(JSON.parse(updated.environment)).toEqual({ PASSWORD: 'p', TARGET: 'prod', NEW: SECRET_MASK });
    expect(updated).toMatchObject({ description: 'd', created_at: created.created_at });
    expect(updated.updated_at > created.updated_at).toBe(true);
  });

  it('moves schedule_since only on creation and a change of schedule, timezone or enabled; other edits keep it', () => {
    const jobs: ProjectJobs = new Map();
    const since = () => (jobs.get('job_t') as JobRow).schedule_since;
    fold(jobs, event('job.created', 'job_t', { spec: spec('t') }));
    const created = jobs.get('job_t') as JobRow;
    expect(created.schedule_since).toBe(created.created_at);
    fold(jobs, event('job.updated', 'job_t', { changes: { description: 'edited' } }));
    fold(jobs, event('job.webhook_secret_rotated', 'job_t', { webhook_secret: 'whsec_AAAA', previous_expires_at: '2026-04-29T12:00:00.000Z' }));
    expect(since()).toBe(created.created_at);
    expect((jobs.get('job_t') as JobRow).updated_at > created.updated_at).toBe(true);
    for (const changes of [{ schedule: '@hourly' }, { timezone: 'Europe/Berlin' }, { enabled: false }]) {
      const before = since();
      fold(jobs, event('job.updated', 'job_t', { changes }));
      expect(since()).toBe((jobs.get('job_t') as JobRow).updated_at);
      expect(String(since()) > String(before)).toBe(true);
    }
    // A row written before the column: its last change stands in.
    jobs.set('job_t', { ...(jobs.get('job_t') as JobRow), schedule_since: null });
    const old = jobs.get('job_t') as JobRow;
    fold(jobs, event('job.updated', 'job_t', { changes: { description: 'again' } }));
    expect(since()).toBe(old.updated_at);
  });

  it('writes no new version for a change that changes nothing, and recognises an event already folded', () => {
    const jobs: ProjectJobs = new Map();
    fold(jobs, event('job.created', 'job_n', { spec: spec('n') }));
    const noop = event('job.updated', 'job_n', { changes: { enabled: true } });
    expect(foldJobEvent(jobs, noop, { partition: 0, offset: '999999' }, new Date())).toMatchObject({ row: undefined, command: { outcome: 'applied' } });
    const replayed = event('job.updated', 'job_n', { changes: { name: 'taken-later' } });
    const row = jobs.get('job_n') as JobRow;
    expect(foldJobEvent(jobs, replayed, { partition: 0, offset: row.kafka_offset }, new Date())).toMatchObject({
      row: undefined,
      command: { outcome: 'applied', reason: 'already folded' },
    });
  });

  describe('webhook signing secrets', () => {
    const secretA = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    const secretB = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;
    const secretC = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    const secretsOf = (row: JobRow | undefined) => [row?.webhook_secret, row?.webhook_previous_secret, row?.webhook_previous_secret_expires_at];

    it('stores the created secret, keeps it through updates and masked PUTs, and drops it on delete', () => {
      const jobs: ProjectJobs = new Map();
      fold(jobs, event('job.created', 'job_w', { spec: spec('w', { webhook_headers: { Authorization: 'Bearer t' } }), webhook_secret: secretA }));
      expect(secretsOf(jobs.get('job_w'))).toEqual([secretA, '', null]);
      fold(jobs, event('job.updated', 'job_w', { changes: { webhook_headers: { Authorization: SECRET_MASK }, webhook_url: 'https://h.example.com/new' } }));
      expect(secretsOf(jobs.get('job_w'))).toEqual([secretA, '', null]);
      expect(JSON.parse(jobs.get('job_w')?.webhook_headers ?? '{}')).toEqual({ Authorization: 'Bearer t' });
      fold(jobs, event('job.deleted', 'job_w', {}));
      expect(jobs.get('job_w')).toMatchObject({ deleted: 1, webhook_secret: '' });
    });

    it('rotates: the old secret becomes the previous one until the given time; unknown and deleted jobs are not_found', () => {
      const jobs: ProjectJobs = new Map();
      fold(jobs, event('job.created', 'job_r', { spec: spec('r'), webhook_secret: secretA }));
      const before = jobs.get('job_r') as JobRow;
      expect(fold(jobs, event('job.webhook_secret_rotated', 'job_r', { webhook_secret: secretB, previous_expires_at: '2026-04-29T12:00:00.000Z' }))).toEqual([
        'applied',
      ]);
      expect(secretsOf(jobs.get('job_r'))).toEqual([secretB, secretA, '2026-04-29 12:00:00.000']);
      const rotatedRow = jobs.get('job_r') as JobRow;
      expect(activeWebhookSecrets(rotatedRow, new Date('2026-04-29T11:59:59.999Z'))).toEqual([secretB, secretA]);
      expect(activeWebhookSecrets(rotatedRow, new Date('2026-04-29T12:00:00.000Z'))).toEqual([secretB]);
      expect(jobs.get('job_r')).toMatchObject({ name: 'r', created_at: before.created_at, deleted: 0 });
      fold(jobs, event('job.webhook_secret_rotated', 'job_r', { webhook_secret: secretC, previous_expires_at: '2026-04-30T12:00:00.000Z' }));
      expect(secretsOf(jobs.get('job_r'))).toEqual([secretC, secretB, '2026-04-30 12:00:00.000']);

      const rotate = (jobId: string) =>
        event('job.webhook_secret_rotated', jobId, { webhook_secret: secretA, previous_expires_at: '2026-04-29T12:00:00.000Z' });
      fold(jobs, event('job.deleted', 'job_r', {}));
      expect(fold(jobs, rotate('job_r'), rotate('job_unknown'))).toEqual(['not_found', 'not_found']);
      expect(jobs.get('job_r')?.webhook_secret).toBe('');
    });

    it('gives a job created before secrets existed its first secret, with no previous one', () => {
      const jobs: ProjectJobs = new Map();
      fold(jobs, event('job.created', 'job_old', { spec: spec('old') }));
      expect(jobs.get('job_old')?.webhook_secret).toBe('');
      fold(jobs, event('job.webhook_secret_rotated', 'job_old', { webhook_secret: secretA, previous_expires_at: '2026-04-29T12:00:00.000Z' }));
      expect(secretsOf(jobs.get('job_old'))).toEqual([secretA, '', null]);
    });
  });

  describe('webhook disabled by a 410', () => {
    const url = 'https://hooks.example.com/gone';
    const disabled = (jobId: string, webhookUrl = url) => event('job.webhook_disabled', jobId, { webhook_url: webhookUrl, reason: '410 Gone' });
    const reasons = (jobs: ProjectJobs, ...events: AnyJobEvent[]) =>
      events.map((e) => {
        const result = foldJobEvent(jobs, e, { partition: 0, offset: String(Number(e.payload.request_id.slice(4))) }, new Date());
        if (result.row) jobs.set(result.row.id, result.row);
        return [result.command.outcome, result.command.reason];
      });

    it("turns the webhook off when the URL that answered 410 is still the job's, keeping everything else", () => {
      const jobs: ProjectJobs = new Map();
      fold(
        jobs,
        event('job.created', 'job_g', {
          spec: spec('g', { webhook_url: url, webhook_enabled: true, webhook_events: ['failure'] }),
          webhook_secret: `whsec_${Buffer.alloc(32, 4).toString('base64')}`,
        }),
      );
      const before = jobs.get('job_g') as JobRow;
      expect(reasons(jobs, disabled('job_g'))).toEqual([['applied', '']]);
      const after = jobs.get('job_g') as JobRow;
      expect(after).toEqual({
        ...before,
        webhook_enabled: 0,
        updated_at: after.updated_at,
        last_request_id: after.last_request_id,
        kafka_offset: after.kafka_offset,
      });
      expect(after.updated_at > before.updated_at).toBe(true);
      // A second 410 for the same URL changes nothing more.
      expect(reasons(jobs, disabled('job_g'))).toEqual([['applied', 'unchanged']]);
    });

    it('leaves the webhook on when the URL changed since, and ignores unknown and deleted jobs', () => {
      const jobs: ProjectJobs = new Map();
      fold(jobs, event('job.created', 'job_m', { spec: spec('m', { webhook_url: url, webhook_enabled: true }) }));
      fold(jobs, event('job.updated', 'job_m', { changes: { webhook_url: 'https://hooks.example.com/moved' } }));
      const before = jobs.get('job_m');
      expect(reasons(jobs, disabled('job_m'))).toEqual([['applied', 'url changed']]);
      expect(jobs.get('job_m')).toBe(before);
      fold(jobs, event('job.created', 'job_d', { spec: spec('d', { webhook_url: url, webhook_enabled: true }) }), event('job.deleted', 'job_d', {}));
      expect(reasons(jobs, disabled('job_d'), disabled('job_none'))).toEqual([
        ['applied', 'unchanged'],
        ['applied', 'unchanged'],
      ]);
      expect(jobs.has('job_none')).toBe(false);
    });
  });
});
