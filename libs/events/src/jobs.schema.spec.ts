import { JOB_SPEC_DEFAULTS, JobEventEnvelope, jobEventKey, MAX_WEBHOOK_DISABLED_REASON_LENGTH, webhookDisabledEvent } from './jobs';
import { decodeJobEvent, encodeJobEvent, validateJobEvent } from './jobs.schema';
import { uuidv7 } from './uuidv7';

function created(spec: Record<string, unknown> = {}): JobEventEnvelope<'job.created'> {
  return {
    event_id: uuidv7(),
    type: 'job.created',
    schema_version: 1,
    org_id: 'org_1',
    project_id: 'proj_1',
    job_id: 'job_0123',
    occurred_at: '2026-04-28T12:00:00.000Z',
    actor: 'tok_1',
    payload: { request_id: 'req_1', spec: { ...JOB_SPEC_DEFAULTS, name: 'nightly', command: 'dbt build', schedule: '0 2 * * *', ...spec } as never },
  };
}

describe('job event schema', () => {
  it('accepts a created event with every default and round-trips through the codec', () => {
    const event = created({ environment: { DBT_TARGET: 'prod' }, resources: { limits: { memory: '1Gi' } }, webhook_events: ['success'] });
    expect(validateJobEvent(event)).toBeUndefined();
    expect(decodeJobEvent(encodeJobEvent(event))).toEqual({ ok: true, event });
  });

  it.each([
    ['payload.spec.name', { name: 'Nightly' }],
    ['payload.spec.name', { name: 'a'.repeat(64) }],
    ['payload.spec.environment', { environment: { 'BAD-NAME': 'x' } }],
    ['payload.spec.webhook_headers', { webhook_headers: { 'bad header': 'x' } }],
    ['payload.spec.resources.limits.cpu', { resources: { limits: { cpu: 'lots' } } }],
    ['payload.spec.resources', { resources: { gpus: {} } }],
    ['payload.spec.webhook_events.0', { webhook_events: ['sometimes'] }],
    ['payload.spec', { extra: 1 }],
  ])('refuses %s', (field, spec) => {
    expect(validateJobEvent(created(spec))).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}`));
  });

  it('accepts partial changes on updates and refuses unknown types and versions', () => {
    const base = created();
    const update = { ...base, type: 'job.updated', payload: { request_id: 'req_2', changes: { enabled: false } } };
    expect(validateJobEvent(update)).toBeUndefined();
    expect(validateJobEvent({ ...update, payload: { request_id: 'req_2', changes: { enabled: 'no' } } })).toMatch(/^payload\.changes\.enabled/);
    expect(validateJobEvent({ ...base, type: 'job.exploded' })).toMatch(/^type/);
    expect(validateJobEvent({ ...base, schema_version: 2 })).toMatch(/^schema_version/);
    expect(decodeJobEvent(Buffer.from('{'))).toMatchObject({ ok: false });
  });

  it('takes a webhook secret on creates, and still takes creates logged before secrets existed', () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const base = created();
    expect(validateJobEvent({ ...base, payload: { ...base.payload, webhook_secret: secret } })).toBeUndefined();
    expect(validateJobEvent(base)).toBeUndefined();
    expect(validateJobEvent({ ...base, payload: { ...base.payload, webhook_secret: 'plain' } })).toMatch(/^payload\.webhook_secret/);
  });

  it('checks rotations: a whsec_ secret and an RFC 3339 expiry', () => {
    const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const rotated = {
      ...created(),
      type: 'job.webhook_secret_rotated',
      payload: { request_id: 'req_3', webhook_secret: secret, previous_expires_at: '2026-04-29T12:00:00.000Z' },
    };
    expect(validateJobEvent(rotated)).toBeUndefined();
    expect(validateJobEvent({ ...rotated, payload: { ...rotated.payload, previous_expires_at: 'tomorrow' } })).toMatch(/^payload\.previous_expires_at/);
    expect(validateJobEvent({ ...rotated, payload: { ...rotated.payload, webhook_secret: 'whsec_!!' } })).toMatch(/^payload\.webhook_secret/);
  });

  it("builds the notifier's webhook_disabled event valid, with fresh ids and the reason clipped", () => {
    const now = new Date('2026-04-28T12:00:00.000Z');
    const input = {
      orgId: 'org_1',
      projectId: 'proj_1',
      jobId: 'job_1',
      webhookUrl: 'https://hooks.example.com/x',
      reason: `410 Gone ${'x'.repeat(MAX_WEBHOOK_DISABLED_REASON_LENGTH - 10)}\u{1F600}`,
      now,
    };
    const event = webhookDisabledEvent(input);
    expect(validateJobEvent(event)).toBeUndefined();
    expect(event).toMatchObject({
      type: 'job.webhook_disabled',
      actor: 'notifier',
      occurred_at: '2026-04-28T12:00:00.000Z',
      job_id: 'job_1',
      payload: { webhook_url: 'https://hooks.example.com/x' },
    });
    expect(event.payload.request_id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(event.payload.reason.length).toBe(MAX_WEBHOOK_DISABLED_REASON_LENGTH - 1);
    const again = webhookDisabledEvent(input);
    expect(again.event_id).not.toBe(event.event_id);
    expect(again.payload.request_id).not.toBe(event.payload.request_id);
  });

  it('keys all commands of one project alike', () => {
    expect(jobEventKey('org_1', 'proj_1')).toBe('org_1/proj_1');
  });
});
