import { ClickHouseStore, PartitionCountChangedError, selectTopicPartitions } from '@runstream/clickhouse';
import { createKafka } from '@runstream/kafka';
import { isolatedEnv } from '@runstream/testing';
import { loadMaterializerConfig } from '../../apps/materializer/src/config/materializer.config';
import { createMaterializerApp } from '../../apps/materializer/src/materializer.app';

/**
 * The fold orders a run's events by offset within one partition, so the materializer must not
 * fold under a partition count other than the one its read models were built under: started
 * after `kafka-topics --alter --partitions`, it refuses at once, before consuming anything.
 */
describe('materializer: the partition count its read models were folded under', () => {
  it('records the count on first start, starts again under it, and refuses another one, naming both', async () => {
    const env = isolatedEnv('partition-layout');
    const config = loadMaterializerConfig(env);
    const topic = config.kafka.topics.events;

    const first = await createMaterializerApp(config, 'warn', false);
    try {
      expect(await selectTopicPartitions(first.get(ClickHouseStore), topic)).toBe(3);
    } finally {
      await first.close();
    }
    const again = await createMaterializerApp(config, 'warn', false);
    await again.close();

    const admin = createKafka(config.kafka).admin();
    await admin.connect();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
    } finally {
      await admin.disconnect();
    }
    const refused = createMaterializerApp(config, 'warn', false);
    await expect(refused).rejects.toThrow(PartitionCountChangedError);
    await expect(refused).rejects.toThrow(`${topic} has 4 partitions, but its read models were folded under 3`);
  }, 120_000);
});
