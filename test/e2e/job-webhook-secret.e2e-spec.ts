import { activeWebhookSecrets, ClickHouseStore, findJob, findJobCommand, JobRow, anyRow } from '@runstream/clickhouse';
import { webhookDisabledEvent } from '@runstream/events';
import { eventually, http } from '@runstream/testing';
import { signedHeaders, verifyWebhook } from '@runstream/webhooks';
import { ControlEventLog } from '../../apps/control/src/events/control-event-log';
import { bearer, startStack, Stack } from '../support/stack';
import { ControlInstance, startControl } from './support-control';

interface CreatedJob {
  id: string;
  webhook_secret: string;
  webhook_enabled: boolean;
  [field: string]: unknown;
}

interface Rotation {
  webhook_secret: string;
  previous_secret_expires_at: string;
}

const HOUR_MS = 60 * 60 * 1000;
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;

/** A receiver's check: the body signed now with `signer(s)` verifies against the `secrets` it holds. */
function verifies(signer: string | string[], secrets: string[]): boolean {
  const body = JSON.stringify({ type: 'run.success' });
  const now = Math.floor(Date.now() / 1000);
  return verifyWebhook(secrets, signedHeaders(signer, 'msg_1', now, body), body).ok;
}

describe('Jobs API: the webhook signing secret (shown once, rotatable) and webhooks turned off by a 410', () => {
  let stack: Stack;
  let control: ControlInstance;
  let store: ClickHouseStore;
  const projectId = `proj_signing_${Date.now()}`;

  beforeAll(async () => {
    stack = await startStack('job-webhook-secret');
    control = await startControl(stack);
    store = control.app.get(ClickHouseStore);
  });

  afterAll(async () => {
    await control?.app.close();
    await stack?.close();
  });

  const auth = () => bearer(stack.tokens.user);
  const url = (path = '') => `${control.url}/api/v1/projects/${projectId}/jobs${path}`;
  const stored = async (jobId: string) => (await findJob(store, stack.orgId, projectId, jobId)) as JobRow;
  const create = async (name: string, extra: Record<string, unknown> = {}) => {
    const answer = await http<CreatedJob>('POST', url(), { name, command: 'dbt build', schedule: '@daily', ...extra }, auth());
    expect(answer.status).toBe(201);
    return answer.body;
  };

  it('answers the secret in the create answer only; it is the stored one and signs verifiable webhooks', async () => {
    const job = await create('signed', { webhook_url: 'https://hooks.example.com/signed', webhook_events: ['success'], webhook_enabled: true });
    expect(job.webhook_secret).toMatch(SECRET);
    expect((await stored(job.id)).webhook_secret).toBe(job.webhook_secret);
    expect(verifies(job.webhook_secret, activeWebhookSecrets(await stored(job.id), new Date()))).toBe(true);
    expect(job.webhook_secret).not.toBe((await create('other')).webhook_secret);

    const answers = [
      await http('GET', url(), undefined, auth()),
      await http('PUT', url(`/${job.id}`), { description: 'changed', webhook_headers: {} }, auth()),
      await http('GET', url(), undefined, auth()),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).toContain(job.id);
      expect(JSON.stringify(answer.body)).not.toContain('whsec_');
    }
    // A PUT never touches the secret.
    expect((await stored(job.id)).webhook_secret).toBe(job.webhook_secret);
    const view = await store.query(anyRow, 'SELECT * FROM {db:Identifier}.jobs_current WHERE id = {id:String}', { id: job.id });
    expect(view).toHaveLength(1);
    expect(JSON.stringify(view)).not.toContain('whsec_');
  });

  it('rotates: a new secret, the old one still signing for 24 h; unknown, deleted and foreign jobs are 404', async () => {
    const job = await create('rotating');
    const before = Date.now();
    const rotated = await http<Rotation>('POST', url(`/${job.id}/webhook-secret/rotate`), undefined, auth());
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ webhook_secret: expect.stringMatching(SECRET), previous_secret_expires_at: expect.any(String) });
    expect(rotated.body.webhook_secret).not.toBe(job.webhook_secret);
    const expiresAt = Date.parse(rotated.body.previous_secret_expires_at);
    expect(new Date(expiresAt).toISOString()).toBe(rotated.body.previous_secret_expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 24 * HOUR_MS);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 24 * HOUR_MS);

    const row = await stored(job.id);
    expect(activeWebhookSecrets(row, new Date())).toEqual([rotated.body.webhook_secret, job.webhook_secret]);
    expect(verifies(job.webhook_secret, activeWebhookSecrets(row, new Date()))).toBe(true);
    // Signed with both during the overlap: a receiver holding either secret verifies.
    for (const held of [job.webhook_secret, rotated.body.webhook_secret]) expect(verifies(activeWebhookSecrets(row, new Date()), [held])).toBe(true);
    expect(activeWebhookSecrets(row, new Date(expiresAt + 1))).toEqual([rotated.body.webhook_secret]);
    expect(verifies(job.webhook_secret, activeWebhookSecrets(row, new Date(expiresAt + 1)))).toBe(false);
    const read = await http('GET', url(), undefined, auth());
    expect(JSON.stringify(read.body)).not.toContain('whsec_');

    const rotate = (jobId: string, token = stack.tokens.user) => http('POST', url(`/${jobId}/webhook-secret/rotate`), undefined, bearer(token));
    expect((await rotate(`job_${'0'.repeat(32)}`)).status).toBe(404);
    expect((await rotate(job.id, stack.tokens.otherOrg)).status).toBe(404);
    expect((await stored(job.id)).webhook_secret).toBe(rotated.body.webhook_secret);
    expect((await http('DELETE', url(`/${job.id}`), undefined, auth())).status).toBe(204);
    expect((await rotate(job.id)).status).toBe(404);
  });

  it("turns a webhook off on the notifier's 410 event only while the job still posts to that URL", async () => {
    const log = control.app.get(ControlEventLog);
    const gone = 'https://hooks.example.com/gone';
    const disable = async (jobId: string, webhookUrl: string) => {
      const event = webhookDisabledEvent({ orgId: stack.orgId, projectId, jobId, webhookUrl, reason: 'receiver answered 410 Gone', now: new Date() });
      await log.appendJobEvent(event);
      return eventually(() => findJobCommand(store, stack.orgId, projectId, event.payload.request_id), 'the decision on the 410 event');
    };
    const webhook = { webhook_url: gone, webhook_events: ['failure'], webhook_enabled: true };

    const matching = await create('gone-hook', webhook);
    expect(await disable(matching.id, gone)).toMatchObject({ outcome: 'applied', reason: '' });
    expect(await stored(matching.id)).toMatchObject({ webhook_enabled: 0, webhook_url: gone, webhook_secret: matching.webhook_secret });
    const read = await http<{ jobs: CreatedJob[] }>('GET', url(), undefined, auth());
    expect(read.body.jobs.find((j) => j.id === matching.id)?.webhook_enabled).toBe(false);

    const moved = await create('moved-hook', webhook);
    expect((await http('PUT', url(`/${moved.id}`), { webhook_url: 'https://hooks.example.com/new' }, auth())).status).toBe(200);
    expect(await disable(moved.id, gone)).toMatchObject({ outcome: 'applied', reason: 'url changed' });
    expect((await stored(moved.id)).webhook_enabled).toBe(1);
  });
});
