import { eventually, http, Receiver, seriesOf, specVerify, startReceiver } from '@runstream/testing';
import { StackProcess } from './support/stack-process';

interface Delivery {
  id: string;
  status: string;
  attempts: number;
}

/**
 * "Kill -9 the notifier mid-delivery and restart it": with embedded chDB the notifier shares the
 * `npm start` process (dist/scripts/local.js), so that whole process is SIGKILLed while a
 * receiver holds the notifier's first request open, then restarted on the same data. The outcome
 * must still reach the receiver in exactly one series (one webhook-id), and be delivered.
 */
describe('faults: the notifier killed mid-delivery', () => {
  let stack: StackProcess;
  let receiver: Receiver;
  let release: (() => void) | undefined;

  beforeAll(async () => {
    // The first request is held (never answered: the process dies first); every later one gets 200.
    receiver = await startReceiver((_request, response, index) => {
      if (index === 1) release = () => response.destroy();
      else response.writeHead(200).end('ok');
    });
    stack = await StackProcess.create('notifier-crash', {
      NOTIFIER_WEBHOOK_TIMEOUT_MS: '5000',
      NOTIFIER_RETRY_MIN_DELAY_MS: '100',
      NOTIFIER_RETRY_BASE_DELAY_MS: '200',
      NOTIFIER_POLL_INTERVAL_MS: '100',
    });
    await stack.start();
  }, 120_000);

  afterAll(async () => {
    release?.();
    await stack?.close();
    await receiver?.close();
  });

  it('delivers the outcome in one series after a SIGKILL mid-request and a restart', async () => {
    const auth = { authorization: `Bearer ${stack.userToken()}` };
    const projectId = 'proj_notifier_crash';
    const job = await http<{ id: string; webhook_secret: string }>(
      'POST',
      `${stack.controlUrl}/api/v1/projects/${projectId}/jobs`,
      { name: 'crashy', command: 'dbt build', schedule: '@daily', webhook_url: receiver.url, webhook_events: ['success'], webhook_enabled: true },
      auth,
    );
    expect(job.status).toBe(201);
    const run = await http<{ id: string }>('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId, jobId: job.body.id, jobName: 'crashy' }, auth);
    expect(run.status).toBe(201);
    expect((await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${run.body.id}`, { status: 'succeeded' }, auth)).status).toBe(202);

    await eventually(async () => (receiver.requests.length >= 1 ? true : undefined), 'the first request', 60_000, 50);
    expect(await stack.signal('SIGKILL')).toBe('SIGKILL');
    release?.();
    await stack.start();

    const deliveriesUrl = `${stack.controlUrl}/api/v1/projects/${projectId}/jobs/${job.body.id}/deliveries`;
    const [delivery] = await eventually(
      async () => {
        const answer = await http<{ deliveries: Delivery[] }>('GET', deliveriesUrl, undefined, { authorization: `Bearer ${stack.userToken()}` });
        const all = answer.body.deliveries ?? [];
        return all.length === 1 && all[0].status === 'delivered' ? all : undefined;
      },
      'the delivery delivered after the restart',
      90_000,
      200,
    );
    expect(receiver.requests.length).toBeGreaterThanOrEqual(2);
    expect([...seriesOf(receiver.requests).keys()]).toEqual([delivery.id]);
    for (const request of receiver.requests) expect(specVerify(job.body.webhook_secret, request.headers, request.body)).toBe(true);
    // Nothing more arrives: the series is over.
    const count = receiver.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(receiver.requests).toHaveLength(count);
  });
});
