import { ClickHouseStore, findDelivery, listJobDeliveries, migrate, openClickHouse } from '@runstream/clickhouse';
import { isolatedEnv, Receiver, specVerify, startReceiver } from '@runstream/testing';
import { MAX_ATTEMPTS, retryCapMs } from './retry-schedule';
import { newWebhookSecret, webhookMessageId } from './signing';
import { WebhookDeliverer, WebhookDelivererOptions, WebhookDeliveryRequest } from './webhook-deliverer';

describe('WebhookDeliverer against real local receivers', () => {
  let store: ClickHouseStore;
  const receivers: Receiver[] = [];
  let runCounter = 0;

  beforeAll(async () => {
    const env = isolatedEnv('webhooks');
    store = openClickHouse({ url: env.CLICKHOUSE_URL, path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '' });
    await migrate(store);
  });

  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await store.close();
  });

  async function receiver(answer: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
    // A query string that may hold a token: the log must keep only origin and path.
    const started = await startReceiver(answer, '/hooks/runstream?token=query-secret');
    receivers.push(started);
    return started;
  }

  /** A deliverer whose waits are recorded instead of slept (a series would otherwise take hours). */
  function deliverer(overrides: Partial<WebhookDelivererOptions> = {}): { deliverer: WebhookDeliverer; waits: number[] } {
    const waits: number[] = [];
    const options: WebhookDelivererOptions = {
      allowPrivate: true,
      timeoutMs: 2_000,
      sleep: async (ms) => {
        waits.push(ms);
      },
      ...overrides,
    };
    return { deliverer: new WebhookDeliverer(store, options), waits };
  }

  function request(url: string, secret = newWebhookSecret()): WebhookDeliveryRequest {
    runCounter += 1;
    const runId = `run_${runCounter}_${Date.now()}`;
    return {
      orgId: 'org_webhooks',
      projectId: 'proj_1',
      jobId: `job_${runCounter}`,
      runId,
      outcome: 'success',
      deliveryId: webhookMessageId(runId, 'success', url),
      url,
      headers: { Authorization: 'Bearer receiver-token', 'X-Team': 'data', 'Content-Type': 'text/plain' },
      secrets: secret,
      body: JSON.stringify({ type: 'run.succeeded', data: { run: { id: runId, status: 'success' } } }),
    };
  }

  it('delivers a request whose signature a spec re-implementation verifies, with the job headers', async () => {
    const secret = newWebhookSecret();
    const target = await receiver((received, res) => {
      res.writeHead(specVerify(secret, received.headers, received.body) ? 204 : 401).end();
    });
    const job = request(target.url, secret);
    const result = await deliverer().deliverer.deliver(job);

    expect(result).toEqual({ deliveryId: job.deliveryId, status: 'delivered', attempts: 1, lastResponseCode: 204 });
    expect(target.requests).toHaveLength(1);
    const [received] = target.requests;
    expect(received.body).toBe(job.body);
    expect(received.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'Bearer receiver-token',
      'x-team': 'data',
      'webhook-id': job.deliveryId,
    });
    expect(specVerify(newWebhookSecret(), received.headers, received.body)).toBe(false);
  });

  it('retries 500 three times and delivers on the fourth: one series, one webhook-id, every attempt logged', async () => {
    const secret = newWebhookSecret();
    const target = await receiver((received, res, index) => {
      if (!specVerify(secret, received.headers, received.body)) res.writeHead(401).end();
      else res.writeHead(index <= 3 ? 500 : 200).end(index <= 3 ? 'database is down' : 'ok');
    });
    const job = request(target.url, secret);
    const { deliverer: running, waits } = deliverer();
    const result = await running.deliver(job);

    expect(result).toEqual({ deliveryId: job.deliveryId, status: 'delivered', attempts: 4, lastResponseCode: 200 });
    expect(target.requests.map((r) => r.headers['webhook-id'])).toEqual(Array(4).fill(job.deliveryId));
    expect(waits).toHaveLength(3);
    waits.forEach((wait, index) => expect(wait).toBeLessThanOrEqual(retryCapMs(index + 1)));

    const delivery = await findDelivery(store, job.orgId, job.deliveryId);
    expect(delivery?.attempts.map((a) => [a.attempt, a.status, a.response_code])).toEqual([
      [1, 'retrying', 500],
      [2, 'retrying', 500],
      [3, 'retrying', 500],
      [4, 'delivered', 200],
    ]);
    expect(delivery?.attempts[0].error).toBe('HTTP 500: database is down');
    expect(delivery?.attempts.slice(0, 3).every((a) => a.next_attempt_at !== null)).toBe(true);
    expect(delivery?.attempts[3].next_attempt_at).toBeNull();
    expect(delivery?.attempts[0].endpoint).toBe(target.url.replace('?token=query-secret', ''));

    const [listed] = await listJobDeliveries(store, job.orgId, job.projectId, job.jobId, 10);
    expect(listed).toMatchObject({ delivery_id: job.deliveryId, status: 'delivered', attempts: 4, last_response_code: 200, next_attempt_at: null });

    // A finished series is never sent again.
    expect(await deliverer().deliverer.deliver(job)).toMatchObject({ status: 'delivered', attempts: 4 });
    expect(target.requests).toHaveLength(4);
  });

  it('resumes an interrupted series from the log with the same webhook-id instead of starting over', async () => {
    const target = await receiver((_received, res, index) => res.writeHead(index <= 3 ? 500 : 200).end());
    const job = request(target.url);
    const crash = new AbortController();
    const first = deliverer({
      sleep: async () => {
        // The process "dies" while waiting for the third attempt.
        if (target.requests.length === 2) crash.abort();
        crash.signal.throwIfAborted();
      },
    });
    await expect(first.deliverer.deliver(job, undefined, crash.signal)).rejects.toThrow();
    expect(target.requests).toHaveLength(2);

    const second = deliverer();
    expect(await second.deliverer.deliver(job)).toEqual({ deliveryId: job.deliveryId, status: 'delivered', attempts: 4, lastResponseCode: 200 });
    expect(target.requests.map((r) => r.headers['webhook-id'])).toEqual(Array(4).fill(job.deliveryId));
    const delivery = await findDelivery(store, job.orgId, job.deliveryId);
    expect(delivery?.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('gives up a receiver that never answers after the last attempt, each attempt cut at the timeout', async () => {
    const target = await receiver(() => undefined);
    const job = request(target.url);
    const timeoutMs = 200;
    const result = await deliverer({ timeoutMs }).deliverer.deliver(job);

    expect(result).toEqual({ deliveryId: job.deliveryId, status: 'failed', attempts: MAX_ATTEMPTS, lastResponseCode: 0 });
    const delivery = await findDelivery(store, job.orgId, job.deliveryId);
    expect(delivery?.attempts.map((a) => a.status)).toEqual([...Array(MAX_ATTEMPTS - 1).fill('retrying'), 'failed']);
    for (const attempt of delivery?.attempts ?? []) {
      expect(attempt.error).toBe(`timed out after ${timeoutMs} ms`);
    }
    expect(delivery?.summary).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, next_attempt_at: null });
  });

  it('disables the endpoint on 410 Gone after one attempt', async () => {
    const target = await receiver((_received, res) => res.writeHead(410).end('gone'));
    const job = request(target.url);
    expect(await deliverer().deliverer.deliver(job)).toEqual({ deliveryId: job.deliveryId, status: 'disabled', attempts: 1, lastResponseCode: 410 });
    expect(target.requests).toHaveLength(1);
    expect((await findDelivery(store, job.orgId, job.deliveryId))?.summary).toMatchObject({
      status: 'disabled',
      last_response_code: 410,
      next_attempt_at: null,
    });
  });

  it('ends a series at once when Node cannot send a header value (a job written before values were checked): no retry could pass', async () => {
    const target = await receiver((_received, res) => res.writeHead(200).end());
    const job = { ...request(target.url), headers: { 'X-Price': '\u20ac5' } };
    expect(await deliverer().deliverer.deliver(job)).toEqual({ deliveryId: job.deliveryId, status: 'failed', attempts: 1, lastResponseCode: 0 });
    expect(target.requests).toHaveLength(0);
    const delivery = await findDelivery(store, job.orgId, job.deliveryId);
    expect(delivery?.attempts[0].error).toMatch(/^request refused \(fix the job's webhook_headers\): .*x-price/);
  });

  it('does not follow a redirect: the 302 is a failed attempt and the redirect target gets nothing', async () => {
    const elsewhere = await receiver((_received, res) => res.writeHead(200).end());
    const target = await receiver((_received, res) => res.writeHead(302, { location: elsewhere.url }).end());
    const job = request(target.url);
    const stop = new AbortController();
    const { deliverer: running } = deliverer({
      sleep: async () => {
        stop.abort();
        stop.signal.throwIfAborted();
      },
    });
    await expect(running.deliver(job, undefined, stop.signal)).rejects.toThrow();
    expect(target.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
    const delivery = await findDelivery(store, job.orgId, job.deliveryId);
    expect(delivery?.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 'retrying', response_code: 302 })]);
    expect(delivery?.attempts[0].error).toBe(`HTTP 302 (redirects are not followed; set webhook_url to ${elsewhere.url} if that is the receiver)`);
  });

  it('refuses 127.0.0.1 unless private addresses are allowed, sending nothing and logging the refusal', async () => {
    const target = await receiver((_received, res) => res.writeHead(200).end());
    const job = request(target.url);
    expect(await deliverer({ allowPrivate: false }).deliverer.deliver(job)).toEqual({
      deliveryId: job.deliveryId,
      status: 'failed',
      attempts: 1,
      lastResponseCode: 0,
    });
    expect(target.requests).toHaveLength(0);
    const delivery = await findDelivery(store, job.orgId, job.deliveryId);
    expect(delivery?.attempts[0].error).toMatch(/^refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1 \(loopback\)/);

    const allowed = { ...request(target.url) };
    expect(await deliverer({ allowPrivate: true }).deliverer.deliver(allowed)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(target.requests).toHaveLength(1);
  });
});
