import { INestApplicationContext } from '@nestjs/common';
import { ClickHouseStore, insertWebhookAttempts, toChDateTime, WebhookAttemptRow } from '@runstream/clickhouse';
import { loadNotifierConfig } from '../../apps/notifier/src/config/notifier.config';
import { createNotifierApp } from '../../apps/notifier/src/notifier.app';
import { NotifierMetrics } from '../../apps/notifier/src/metrics/notifier.metrics';
import { NotifierService } from '../../apps/notifier/src/notifier.service';
import { eventually, http, Receiver, seriesOf, specVerify, startReceiver } from '@runstream/testing';
import { bearer, startStack, Stack } from '../support/stack';
import { ControlInstance, startControl } from './support-control';

interface Delivery {
  id: string;
  channel: string;
  run_id: string;
  event: string;
  status: string;
  attempts: number;
  last_response_code: number | null;
  next_attempt_at: string | null;
}

interface WebhookBody {
  type: string;
  timestamp: string;
  data: {
    event: string;
    project_id: string;
    job: { id: string; name: string };
    run: { id: string; status: string; job_id: string };
    duration_seconds: number | null;
    errorSummary: string;
    telemetrySummary?: Record<string, unknown>;
    run_url: string;
  };
}

const SLACK_TOKEN = 'xoxb-test-bot-token';
/** Short waits so a whole series fits in a test: the schedule's shape is unit-tested with the real constants. */
const FAST = {
  NOTIFIER_ALLOW_PRIVATE_URLS: 'true',
  NOTIFIER_WEBHOOK_TIMEOUT_MS: '800',
  NOTIFIER_RETRY_MIN_DELAY_MS: '100',
  NOTIFIER_RETRY_BASE_DELAY_MS: '200',
  NOTIFIER_RETRY_MAX_DELAY_MS: '600',
  NOTIFIER_POLL_INTERVAL_MS: '100',
  NOTIFIER_SLACK_BOT_TOKEN: SLACK_TOKEN,
  NOTIFIER_RUN_URL: 'https://runstream.example.com/runs/{run_id}',
};

describe('Notifier: signed webhooks and Slack alerts, one series per outcome, with two instances', () => {
  let stack: Stack;
  let control: ControlInstance;
  const notifiers: INestApplicationContext[] = [];
  let verifying: Receiver;
  let flaky: Receiver;
  let slow: Receiver;
  let gone: Receiver;
  let slack: Receiver;
  const secrets = new Map<string, string>();
  const jobIds = new Map<string, string>();
  const projectId = `proj_notify_${Date.now()}`;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    verifying = await startReceiver((_request, response) => response.writeHead(204).end());
    flaky = await startReceiver((_request, response, index) => response.writeHead(index <= 3 ? 500 : 200).end(index <= 3 ? 'not yet' : 'ok'));
    slow = await startReceiver((_request, response) => setTimeout(() => response.writeHead(200).end(), 2_000).unref());
    gone = await startReceiver((_request, response) => response.writeHead(410).end('gone'));
    // Slack is down for one channel only, so a test can move a retrying alert to another.
    slack = await startReceiver((request, response) => {
      if (request.body.includes('"#slack-down"')) return response.writeHead(500).end('down');
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"ts":"1.2"}');
    }, '/api');
    stack = await startStack('notifications', { ...FAST, NOTIFIER_SLACK_API_URL: slack.url });
    env = stack.env;
    control = await startControl(stack);
    // Two instances in one consumer group: they split the partitions, as production replicas do.
    for (let i = 0; i < 2; i += 1) notifiers.push(await createNotifierApp(loadNotifierConfig(env), env.LOG_LEVEL, false));
  }, 120_000);

  afterAll(async () => {
    for (const notifier of notifiers) await notifier.close();
    await control?.app.close();
    await stack?.close();
    for (const receiver of [verifying, flaky, slow, gone, slack]) await receiver?.close();
  });

  const auth = () => bearer(stack.tokens.user);
  const jobsUrl = (path = '') => `${control.url}/api/v1/projects/${projectId}/jobs${path}`;

  async function createJob(name: string, fields: Record<string, unknown>): Promise<string> {
    const created = await http<{ id: string; webhook_secret: string }>(
      'POST',
      jobsUrl(),
      { name, command: 'dbt build', schedule: '@daily', ...fields },
      auth(),
    );
    expect(created.status).toBe(201);
    secrets.set(name, created.body.webhook_secret);
    jobIds.set(name, created.body.id);
    return created.body.id;
  }

  async function runJob(job: string, final: Record<string, unknown>): Promise<string> {
    const created = await http<{ id: string }>('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId, jobId: jobIds.get(job), jobName: job }, auth());
    expect(created.status).toBe(201);
    const runId = created.body.id;
    expect((await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${runId}`, { status: 'running' }, auth())).status).toBe(202);
    expect((await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${runId}`, final, auth())).status).toBe(202);
    return runId;
  }

  async function deliveries(job: string): Promise<Delivery[]> {
    const answer = await http<{ deliveries: Delivery[] }>('GET', jobsUrl(`/${jobIds.get(job)}/deliveries`), undefined, auth());
    expect(answer.status).toBe(200);
    return answer.body.deliveries;
  }

  const bodies = (receiver: Receiver) => receiver.requests.map((request) => JSON.parse(request.body) as WebhookBody);

  it('delivers started and terminal outcomes, signed, with telemetrySummary only when reported, and Slack alerts with the bot token', async () => {
    await createJob('verified', {
      webhook_url: verifying.url,
      webhook_headers: { 'X-Team': 'data' },
      webhook_enabled: true,
      slack_channel: '#data-alerts',
      slack_alerts_enabled: true,
      slack_alert_on_success: true,
    });
    const succeeded = await runJob('verified', { status: 'succeeded', telemetrySummary: { rowsLoaded: 1200, bytesLoaded: 52_000 } });
    const failed = await runJob('verified', { status: 'failed', errorSummary: 'relation "orders" does not exist' });

    await eventually(
      async () => (verifying.requests.length >= 4 && slack.requests.length >= 2 ? true : undefined),
      'four webhooks and two Slack messages',
      60_000,
      100,
    );
    const secret = secrets.get('verified') as string;
    for (const request of verifying.requests) {
      expect(specVerify(secret, request.headers, request.body)).toBe(true);
      expect(request.headers['x-team']).toBe('data');
    }
    const byRun = (runId: string) => bodies(verifying).filter((body) => body.data.run.id === runId);
    expect(
      byRun(succeeded)
        .map((body) => body.type)
        .sort(),
    ).toEqual(['run.started', 'run.succeeded']);
    expect(
      byRun(failed)
        .map((body) => body.type)
        .sort(),
    ).toEqual(['run.failed', 'run.started']);
    const success = byRun(succeeded).find((body) => body.type === 'run.succeeded') as WebhookBody;
    expect(success.data).toMatchObject({
      event: 'success',
      project_id: projectId,
      job: { id: jobIds.get('verified'), name: 'verified' },
      run: { id: succeeded, status: 'success' },
      telemetrySummary: { rowsLoaded: 1200, bytesLoaded: 52_000 },
    });
    expect(success.data.run_url).toBe(`https://runstream.example.com/runs/${succeeded}`);
    const failure = byRun(failed).find((body) => body.type === 'run.failed') as WebhookBody;
    expect(failure.data.errorSummary).toBe('relation "orders" does not exist');
    expect('telemetrySummary' in failure.data).toBe(false);

    // Slack: failure and success (alert_on_success), not started; the Block Kit payload and the bot token.
    expect(slack.requests).toHaveLength(2);
    for (const request of slack.requests) {
      expect(request.path).toBe('/api/chat.postMessage');
      expect(request.headers.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
      const message = JSON.parse(request.body) as { channel: string; text: string; blocks: { type: string }[] };
      expect(message.channel).toBe('#data-alerts');
      expect(message.blocks.length).toBeGreaterThan(1);
    }
    expect(slack.requests.map((request) => request.body).join('\n')).toContain('relation \\"orders\\" does not exist');
    // One series per outcome and channel, each delivered in one attempt.
    const log = await eventually(async () => {
      const all = await deliveries('verified');
      return all.length === 6 && all.every((delivery) => delivery.status === 'delivered') ? all : undefined;
    }, 'six delivered deliveries');
    expect(
      log
        .filter((delivery) => delivery.channel === 'slack')
        .map((delivery) => delivery.event)
        .sort(),
    ).toEqual(['failure', 'success']);
    expect(new Set(log.map((delivery) => delivery.id)).size).toBe(6);
    expect(seriesOf(verifying.requests).size).toBe(4);
  });

  it('retries a receiver failing with 500 three times: 4 attempts, one series, the same webhook-id', async () => {
    await createJob('flaky', { webhook_url: flaky.url, webhook_events: ['failure'], webhook_enabled: true });
    await runJob('flaky', { status: 'failed' });
    const [delivery] = await eventually(
      async () => {
        const all = await deliveries('flaky');
        return all.length === 1 && all[0].status === 'delivered' ? all : undefined;
      },
      'the flaky delivery delivered',
      60_000,
      100,
    );
    expect(delivery).toMatchObject({ event: 'failure', attempts: 4, last_response_code: 200, next_attempt_at: null });
    expect(flaky.requests).toHaveLength(4);
    expect([...seriesOf(flaky.requests).keys()]).toEqual([delivery.id]);
    // The same bytes every attempt, each freshly signed.
    expect(new Set(flaky.requests.map((request) => request.body)).size).toBe(1);
    for (const request of flaky.requests) expect(specVerify(secrets.get('flaky') as string, request.headers, request.body)).toBe(true);
  });

  it('gives up on a receiver that times out after the last of 8 attempts, in one series', async () => {
    await createJob('slow', { webhook_url: slow.url, webhook_events: ['success'], webhook_enabled: true });
    await runJob('slow', { status: 'succeeded' });
    const [delivery] = await eventually(
      async () => {
        const all = await deliveries('slow');
        return all.length === 1 && all[0].status === 'failed' ? all : undefined;
      },
      'the slow delivery failed',
      90_000,
      200,
    );
    expect(delivery).toMatchObject({ attempts: 8, last_response_code: null, next_attempt_at: null });
    const detail = await http<{ attempt_log: { error: string }[] }>('GET', jobsUrl(`/${jobIds.get('slow')}/deliveries/${delivery.id}`), undefined, auth());
    expect(detail.body.attempt_log.every((attempt) => /timed out/.test(attempt.error))).toBe(true);
    expect([...seriesOf(slow.requests).keys()]).toEqual([delivery.id]);
  });

  it("stops at a 410 and turns the job's webhook off", async () => {
    const jobId = await createJob('gone', { webhook_url: gone.url, webhook_events: ['success'], webhook_enabled: true });
    await runJob('gone', { status: 'succeeded' });
    const [delivery] = await eventually(
      async () => {
        const all = await deliveries('gone');
        return all.length === 1 && all[0].status === 'disabled' ? all : undefined;
      },
      'the gone delivery disabled',
      30_000,
      100,
    );
    expect(delivery).toMatchObject({ attempts: 1, last_response_code: 410 });
    const webhookEnabled = async () =>
      (await http<{ jobs: { id: string; webhook_enabled: boolean }[] }>('GET', jobsUrl(), undefined, auth())).body.jobs.find((job) => job.id === jobId)
        ?.webhook_enabled;
    await eventually(async () => ((await webhookEnabled()) === false ? true : undefined), 'the webhook turned off');
    expect(gone.requests).toHaveLength(1);
  });

  it('sends each retry to the job as it is now: a moved Slack channel gets the alert, an outcome taken out of webhook_events ends its series', async () => {
    const down = await startReceiver((_request, response) => response.writeHead(500).end('down'));
    try {
      await createJob('edited-mid-series', {
        webhook_url: down.url,
        webhook_events: ['failure'],
        webhook_enabled: true,
        slack_channel: '#slack-down',
        slack_alerts_enabled: true,
      });
      await runJob('edited-mid-series', { status: 'failed' });
      const retrying = async (channel: string) =>
        (await deliveries('edited-mid-series')).some((delivery) => delivery.channel === channel && delivery.status === 'retrying') ? true : undefined;
      await eventually(async () => ((await retrying('slack')) && (await retrying('webhook')) ? true : undefined), 'both series retrying', 60_000, 100);
      const put = await http('PUT', jobsUrl(`/${jobIds.get('edited-mid-series')}`), { slack_channel: '#slack-back', webhook_events: ['success'] }, auth());
      expect(put.status).toBe(200);
      const ended = await eventually(async () => {
        const all = await deliveries('edited-mid-series');
        return all.every((delivery) => delivery.status === 'delivered' || delivery.status === 'failed') ? all : undefined;
      }, 'both series ended');
      expect(Object.fromEntries(ended.map((delivery) => [delivery.channel, delivery.status]))).toEqual({ slack: 'delivered', webhook: 'failed' });
      expect(slack.requests.filter((request) => request.body.includes('"#slack-back"'))).toHaveLength(1);
      const detail = await http<{ attempt_log: { error: string }[] }>(
        'GET',
        jobsUrl(`/${jobIds.get('edited-mid-series')}/deliveries/${ended.find((delivery) => delivery.channel === 'webhook')?.id}`),
        undefined,
        auth(),
      );
      expect(detail.body.attempt_log.at(-1)?.error).toBe("not sent: the job's webhook_events no longer include failure");
    } finally {
      await down.close();
    }
  });

  it('redelivers a delivery on request under the same webhook-id, and sends a signed test event', async () => {
    const [first] = (await deliveries('flaky')).filter((delivery) => delivery.status === 'delivered');
    const before = flaky.requests.length;
    const queued = await http<Delivery>('POST', jobsUrl(`/${jobIds.get('flaky')}/deliveries/${first.id}/redeliver`), undefined, auth());
    expect(queued.status).toBe(202);
    expect(queued.body.status).toBe('pending');
    await eventually(async () => (flaky.requests.length > before ? true : undefined), 'the redelivery');
    expect(flaky.requests[before].headers['webhook-id']).toBe(first.id);
    const again = await http('POST', jobsUrl(`/${jobIds.get('flaky')}/deliveries/${first.id}/redeliver`), undefined, auth());
    expect([202, 409]).toContain(again.status);

    const test = await http<{ status: string; response_code: number; delivery_id: string }>(
      'POST',
      jobsUrl(`/${jobIds.get('verified')}/webhook/test`),
      undefined,
      auth(),
    );
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ status: 'delivered', response_code: 204 });
    const received = verifying.requests.find((request) => request.headers['webhook-id'] === test.body.delivery_id);
    expect(received && specVerify(secrets.get('verified') as string, received.headers, received.body)).toBe(true);
    expect((JSON.parse(received?.body ?? '{}') as { type: string }).type).toBe('webhook.test');
    expect((await http('GET', jobsUrl('/job_missing/deliveries'), undefined, auth())).status).toBe(404);
    expect((await http('POST', jobsUrl(`/${jobIds.get('flaky')}/deliveries/not-an-id/redeliver`), undefined, auth())).status).toBe(400);
  });

  it('answers 410 to a redelivery whose body is no longer kept (the opening row past its TTL, a later failed row left)', async () => {
    const deliveryId = `msg_${'e'.repeat(32)}`;
    const failed: WebhookAttemptRow = {
      org_id: stack.orgId,
      project_id: projectId,
      job_id: jobIds.get('flaky') as string,
      run_id: 'run_expired',
      outcome: 'failure',
      delivery_id: deliveryId,
      channel: 'webhook',
      kafka_partition: 0,
      endpoint: flaky.url,
      attempt: 8,
      status: 'failed',
      response_code: 500,
      error: '',
      duration_ms: 3,
      attempted_at: toChDateTime(new Date()),
      next_attempt_at: null,
      body: '',
    };
    await insertWebhookAttempts(control.app.get(ClickHouseStore), [failed]);
    const answer = await http<{ message: string }>('POST', jobsUrl(`/${failed.job_id}/deliveries/${deliveryId}/redeliver`), undefined, auth());
    expect(answer.status).toBe(410);
    expect(answer.body.message).toContain('no longer kept');
    // Counted by webhook-id: the previous test's second redelivery may still land on this receiver.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(flaky.requests.filter((request) => request.headers['webhook-id'] === deliveryId)).toHaveLength(0);
  });

  it('sends an attempt once while ClickHouse refuses to record it, and records it once it can', async () => {
    const store = control.app.get(ClickHouseStore);
    const counting = await startReceiver((_request, response) => response.writeHead(204).end());
    // Series open (their pending rows insert), but no attempt can be recorded.
    await store.command(`ALTER TABLE {db:Identifier}.webhook_deliveries ADD CONSTRAINT attempts_refused CHECK status = 'pending'`);
    let dropped = false;
    try {
      await createJob('unrecorded', { webhook_url: counting.url, webhook_enabled: true, webhook_events: ['success'] });
      await runJob('unrecorded', { status: 'succeeded' });
      await eventually(async () => (counting.requests.length > 0 ? true : undefined), 'the attempt to be sent', 60_000, 100);
      // Many dispatcher passes (every 100 ms here) while the insert keeps failing.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(counting.requests).toHaveLength(1);
      await store.command('ALTER TABLE {db:Identifier}.webhook_deliveries DROP CONSTRAINT attempts_refused');
      dropped = true;
      await eventually(
        async () => ((await deliveries('unrecorded')).some((delivery) => delivery.status === 'delivered') ? true : undefined),
        'the attempt recorded',
      );
      expect(counting.requests).toHaveLength(1);
    } finally {
      if (!dropped) await store.command('ALTER TABLE {db:Identifier}.webhook_deliveries DROP CONSTRAINT IF EXISTS attempts_refused');
      await counting.close();
    }
  });

  it('opens no second series when the whole log is read again by a new consumer group (a replay)', async () => {
    // Every series settled first (a redelivery above may still be under way).
    for (const job of jobIds.keys()) {
      await eventually(
        async () => ((await deliveries(job)).every((delivery) => delivery.status !== 'pending' && delivery.status !== 'retrying') ? true : undefined),
        `${job}'s deliveries settled`,
        30_000,
        100,
      );
    }
    for (const notifier of notifiers.splice(0)) await notifier.close();
    const counts = [verifying, flaky, slow, gone, slack].map((receiver) => receiver.requests.length);
    const replay = await createNotifierApp(loadNotifierConfig({ ...env, NOTIFIER_GROUP_ID: `${env.NOTIFIER_GROUP_ID}-replay` }), env.LOG_LEVEL, false);
    notifiers.push(replay);
    const lag = async () => (await replay.get(NotifierService).consumer.lag()).reduce((sum, p) => sum + p.lag, 0);
    await eventually(async () => ((await lag()) === 0 ? true : undefined), 'the replay consumed the whole log', 60_000, 200);
    // Past the ownership grace and a few dispatch passes: anything it opened would have been sent by now.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect([verifying, flaky, slow, gone, slack].map((receiver) => receiver.requests.length)).toEqual(counts);
  });

  it('sends no outcome older than NOTIFIER_MAX_OUTCOME_AGE_MS when a new group reads the log after the series rows are gone', async () => {
    for (const notifier of notifiers.splice(0)) await notifier.close();
    const counts = [verifying, flaky, slow, gone, slack].map((receiver) => receiver.requests.length);
    // As after the rows' 35-day TTL: no series is left to find.
    await control.app.get(ClickHouseStore).command('TRUNCATE TABLE {db:Identifier}.webhook_deliveries');
    const late = await createNotifierApp(
      loadNotifierConfig({ ...env, NOTIFIER_GROUP_ID: `${env.NOTIFIER_GROUP_ID}-expired`, NOTIFIER_MAX_OUTCOME_AGE_MS: '1000' }),
      env.LOG_LEVEL,
      false,
    );
    notifiers.push(late);
    const lag = async () => (await late.get(NotifierService).consumer.lag()).reduce((sum, p) => sum + p.lag, 0);
    await eventually(async () => ((await lag()) === 0 ? true : undefined), 'the new group consumed the whole log', 60_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect([verifying, flaky, slow, gone, slack].map((receiver) => receiver.requests.length)).toEqual(counts);
    // Every outcome of the tests above was seen, and found too old (the newest is several seconds old: the replay above waited 5 s).
    expect((await late.get(NotifierMetrics).staleOutcomes.get()).values[0].value).toBeGreaterThan(10);
  });
});
