import { isolatedEnv } from '@runstream/testing';
import { migrate } from '../migrate';
import { ClickHouseStore, openClickHouse } from '../store';
import { toChDateTime } from '../time';
import { countOpenDeliveries, insertWebhookAttempts, selectDeliveryBody, selectDueDeliveries, WebhookAttemptRow } from './webhook-deliveries.table';

const MINUTE = 60_000;

describe('webhook_deliveries: the open series a dispatcher reads', () => {
  let store: ClickHouseStore;

  beforeAll(async () => {
    const env = isolatedEnv('webhook-deliveries');
    store = openClickHouse({ url: env.CLICKHOUSE_URL, path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '' });
    await migrate(store);
  });

  afterAll(async () => {
    await store.close();
  });

  const now = new Date();
  const ago = (ms: number) => toChDateTime(new Date(now.getTime() - ms));
  function row(
    deliveryId: string,
    attempt: number,
    status: WebhookAttemptRow['status'],
    attemptedAgoMs: number,
    next: string | null,
    extra: Partial<WebhookAttemptRow> = {},
  ): WebhookAttemptRow {
    return {
      org_id: 'org',
      project_id: 'proj',
      job_id: 'job_1',
      run_id: `run_${deliveryId}`,
      outcome: 'success',
      delivery_id: deliveryId,
      channel: 'webhook',
      kafka_partition: 2,
      endpoint: 'https://hooks.example.com/x',
      attempt,
      status,
      response_code: status === 'pending' ? 0 : 500,
      error: '',
      duration_ms: 1,
      attempted_at: ago(attemptedAgoMs),
      next_attempt_at: next,
      body: '',
      ...extra,
    };
  }

  it('finds a long series due now with the body of its opening row, even past the recent window', async () => {
    await insertWebhookAttempts(store, [
      // Opened 3 h ago; attempt 7 failed 5 minutes ago and attempt 8 is due.
      row('msg_long', 1, 'pending', 180 * MINUTE, ago(180 * MINUTE), { body: '{"type":"run.succeeded"}' }),
      row('msg_long', 1, 'retrying', 180 * MINUTE - 1, ago(170 * MINUTE)),
      row('msg_long', 7, 'retrying', 5 * MINUTE, ago(1_000)),
      // Not due yet, delivered, and another partition's.
      row('msg_later', 1, 'pending', 1 * MINUTE, ago(MINUTE), { body: '{}' }),
      row('msg_later', 1, 'retrying', 1 * MINUTE - 1, toChDateTime(new Date(now.getTime() + 10 * MINUTE))),
      row('msg_done', 1, 'pending', 2 * MINUTE, ago(2 * MINUTE), { body: '{}' }),
      row('msg_done', 1, 'delivered', 2 * MINUTE - 1, null),
      row('msg_other', 1, 'pending', 1 * MINUTE, ago(MINUTE), { body: '{}', kafka_partition: 5 }),
      // A redelivery of a failed series: the schedule restarts at attempt 4, the body stays the first.
      row('msg_again', 1, 'pending', 50 * MINUTE, ago(50 * MINUTE), { body: '{"first":true}' }),
      row('msg_again', 3, 'failed', 40 * MINUTE, null),
      row('msg_again', 4, 'pending', 1_000, ago(1_000)),
    ]);
    const due = await selectDueDeliveries(store, [2], now, 100, 70 * MINUTE);
    const byId = new Map(due.map((d) => [d.delivery_id, d]));
    expect([...byId.keys()].sort()).toEqual(['msg_again', 'msg_long']);
    expect(byId.get('msg_long')).toMatchObject({ attempt: 8, series_start: 1, body: '{"type":"run.succeeded"}', kafka_partition: 2 });
    expect(byId.get('msg_again')).toMatchObject({ attempt: 4, series_start: 4, body: '{"first":true}' });
    expect(await countOpenDeliveries(store, [2], now)).toBe(3);
    expect(await selectDueDeliveries(store, [], now, 100)).toEqual([]);
  });

  it('takes at most perHost due series of one receiver host (Slack is one host), earliest due first, so others get their turn', async () => {
    const tarpit = Array.from({ length: 6 }, (_, i) => [
      row(`msg_tarpit_${i}`, 1, 'pending', 10 * MINUTE, ago(10 * MINUTE), { body: '{}', kafka_partition: 4, endpoint: `https://tarpit.example.com/hook/${i}` }),
      row(`msg_tarpit_${i}`, 1, 'retrying', 10 * MINUTE - 1, ago(5 * MINUTE - i), { kafka_partition: 4, endpoint: `https://tarpit.example.com/hook/${i}` }),
    ]).flat();
    await insertWebhookAttempts(store, [
      ...tarpit,
      row('msg_other_host', 1, 'pending', 1_000, ago(1_000), { body: '{}', kafka_partition: 4, endpoint: 'https://ok.example.org/hook' }),
      row('msg_slack_a', 1, 'pending', 2_000, ago(2_000), { body: '{}', kafka_partition: 4, channel: 'slack', endpoint: 'slack:#a' }),
      row('msg_slack_b', 1, 'pending', 1_500, ago(1_500), { body: '{}', kafka_partition: 4, channel: 'slack', endpoint: 'slack:#b' }),
    ]);
    const due = await selectDueDeliveries(store, [4], now, 100, 70 * MINUTE, 2);
    expect(due.map((d) => d.delivery_id)).toEqual(['msg_tarpit_0', 'msg_tarpit_1', 'msg_slack_a', 'msg_slack_b', 'msg_other_host']);
    expect((await selectDueDeliveries(store, [4], now, 100, 70 * MINUTE)).length).toBe(9);
  });

  it('sends a series redelivered weeks after it opened with its own body (the redelivery carries it)', async () => {
    const DAY = 24 * 60 * MINUTE;
    await insertWebhookAttempts(store, [
      row('msg_old', 1, 'pending', 20 * DAY, ago(20 * DAY), { body: '{"old":true}', kafka_partition: 3 }),
      row('msg_old', 1, 'delivered', 20 * DAY - 1, null, { kafka_partition: 3 }),
    ]);
    const body = await selectDeliveryBody(store, 'org', 'msg_old');
    expect(body).toBe('{"old":true}');
    await insertWebhookAttempts(store, [row('msg_old', 2, 'pending', 1_000, ago(1_000), { body, kafka_partition: 3 })]);
    const [due] = await selectDueDeliveries(store, [3], now, 100);
    expect(due).toMatchObject({ delivery_id: 'msg_old', attempt: 2, series_start: 2, body: '{"old":true}' });
    expect(await selectDeliveryBody(store, 'other_org', 'msg_old')).toBe('');
  });
});
