import { ClickHouseStore, openClickHouse, snapshotReadModels } from '@runstream/clickhouse';
import { eventually, http, readTopic } from '@runstream/testing';
import { createKafka } from '@runstream/kafka';
import { loadMaterializerConfig } from '../../apps/materializer/src/config/materializer.config';
import { RunEventsConsumer } from '../../apps/materializer/src/consumer/run-events.consumer';
import { rebuildReadModels, RebuildRefusedError } from '../../apps/materializer/src/rebuild/rebuild';
import { bearer, startStack, Stack } from '../support/stack';

describe('rebuild: drop the read models, replay the topic, get identical tables', () => {
  let stack: Stack;
  let store: ClickHouseStore;

  beforeAll(async () => {
    stack = await startStack('rebuild');
    store = openClickHouse(loadMaterializerConfig(stack.env).clickhouse);
  });

  afterAll(async () => {
    await store?.close();
    await stack?.close();
  });

  const snapshot = () => snapshotReadModels(store);

  it('rebuilds every read model identically', async () => {
    const user = bearer(stack.tokens.user);
    const w = (method: string, path: string, body?: unknown) => http<{ id: string }>(method, `${stack.ingestUrl}${path}`, body, user);
    for (let r = 0; r < 6; r += 1) {
      const { body } = await w('POST', '/api/elt/runs', { projectId: 'proj_rebuild', jobName: `job-${r}`, cronjobName: r % 2 ? 'hourly' : 'nightly' });
      await w('PATCH', `/api/elt/runs/${body.id}`, { status: 'running', telemetrySummary: { progress: 10 }, appendLog: { level: 'info', message: 'start' } });
      for (let i = 0; i < 5; i += 1)
        await w('PATCH', `/api/elt/runs/${body.id}`, { appendTelemetrySample: { rowsLoaded: i * 100 }, appendLog: { level: 'info', message: `step ${i}` } });
      await w('POST', `/api/elt/runs/${body.id}/model-executions`, {
        executions: [
          {
            id: `exec_${r}`,
            model_name: `m${r % 3}`,
            status: 'success',
            started_at: '2026-02-26T06:00:00Z',
            completed_at: `2026-02-26T06:0${r}:30Z`,
            rows_processed: r,
          },
        ],
      });
      await w('PATCH', `/api/elt/runs/${body.id}`, {
        status: r === 5 ? 'failed' : 'succeeded',
        logEntries: [{ at: '2026-02-26T06:10:00Z', level: 'info', message: 'replaced' }],
      });
    }

    // Poison the materializer dead-letters while it runs, and poison it never reaches: only the rebuild sees the second.
    const config = loadMaterializerConfig(stack.env);
    const kafka = createKafka(config.kafka);
    const producer = kafka.producer();
    await producer.connect();
    const poison = async (value: string) => {
      const [sent] = await producer.send({ topic: config.kafka.topics.events, messages: [{ key: 'run_poison', value, partition: 0 }] });
      return sent.baseOffset as string;
    };
    const seenLive = await poison('not json: seen by the materializer');
    const consumer = stack.materializer.get(RunEventsConsumer).consumer;
    await eventually(async () => ((await consumer.lag()).every((p) => p.lag === 0) ? true : undefined), 'the materializer to catch up');
    const before = await snapshot();
    expect(before.runs).toHaveLength(6);
    expect(before.model_executions).toHaveLength(6);
    expect(before.run_events.length).toBe(6 * 9);

    // With the materializer still in its group, nothing is emptied.
    await expect(rebuildReadModels(config)).rejects.toThrow(/stop every materializer first/);
    expect(await snapshot()).toEqual(before);

    await stack.materializer.close();
    const seenByRebuildOnly = await poison('not json: published after the materializer stopped');
    await producer.disconnect();
    // While the tables are refilled, the group's commits (what the notifier and the scheduler wait on) say they are empty.
    const admin = kafka.admin();
    await admin.connect();
    const committedTotals: number[] = [];
    const rebuilding = rebuildReadModels(config);
    let settled = false;
    void rebuilding.finally(() => (settled = true)).catch(() => undefined);
    while (!settled) {
      const [group] = await admin.fetchOffsets({ groupId: config.groupId, topics: [config.kafka.topics.events] });
      committedTotals.push(group.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const report = await rebuilding;
    expect(committedTotals).toContain(0);
    const [after] = await admin.fetchOffsets({ groupId: config.groupId, topics: [config.kafka.topics.events] });
    expect(after.partitions.map((p) => ({ partition: p.partition, offset: p.offset })).sort((x, y) => x.partition - y.partition)).toEqual(
      [...report.endOffsets].sort((x, y) => x.partition - y.partition),
    );
    expect(report.events).toBe(6 * 9);
    expect(report.deadLetters).toBe(2);
    expect(report.deadLettersPublished).toBe(1);
    // The same tables; the change feed's watermark on partition 0 has moved past the second poison message too.
    type Watermark = { kafka_partition: number; next_offset: string };
    const pastPoison = (watermark: Watermark) =>
      watermark.kafka_partition === 0 ? { ...watermark, next_offset: String(BigInt(watermark.next_offset) + 1n) } : watermark;
    expect(await snapshot()).toEqual({ ...before, feed_watermarks: (before.feed_watermarks as Watermark[]).map(pastPoison) });

    // Each poison message is dead-lettered exactly once: the first by the materializer, the second by the rebuild.
    try {
      const dlq = await admin.fetchTopicOffsets(config.kafka.topics.deadLetters);
      expect(dlq.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0)).toBe(2);
      const letters = await readTopic(config.kafka.brokers, config.kafka.topics.deadLetters, 2);
      expect(letters.map((letter) => letter.headers['dlq.offset']).sort()).toEqual([seenLive, seenByRebuildOnly].sort());

      // A topic whose retention dropped its first events (here: deleted up to offset 1) is refused before anything is emptied.
      const partition = (await admin.fetchTopicOffsets(config.kafka.topics.events)).find((p) => BigInt(p.high) > 1n) as { partition: number };
      await admin.deleteTopicRecords({ topic: config.kafka.topics.events, partitions: [{ partition: partition.partition, offset: '1' }] });
    } finally {
      await admin.disconnect();
    }
    const rebuilt = await snapshot();
    await expect(rebuildReadModels(config)).rejects.toBeInstanceOf(RebuildRefusedError);
    expect(await snapshot()).toEqual(rebuilt);
  });
});
