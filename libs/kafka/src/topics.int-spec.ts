import { randomBytes } from 'node:crypto';
import { createKafka } from './kafkajs-client';
import { connectChecked, KafkaClusterError } from './cluster-check';
import { Logger } from '@nestjs/common';
import { ensureTopics, limitedRetention, topicConfig, TopicDurabilityError } from './topics';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');

describe('ensureTopics on a real broker', () => {
  const kafka = createKafka({ brokers, clientId: 'topics-int-spec' });

  it('creates a topic with the configured min.insync.replicas and accepts it on the next start', async () => {
    const topic = `test.topics.${randomBytes(4).toString('hex')}`;
    const spec = { topic, numPartitions: 2, replicationFactor: 1, minInsyncReplicas: 1 };
    await ensureTopics(kafka, [spec]);
    await ensureTopics(kafka, [spec]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await topicConfig(admin, topic, 'min.insync.replicas')).toBe('1');
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0].partitions.map((partition) => partition.replicas.length)).toEqual([1, 1]);
    } finally {
      await admin.disconnect();
    }
  });

  it('creates a log of record (keepForever) with unlimited retention, by time and by size', async () => {
    const topic = `test.topics.forever.${randomBytes(4).toString('hex')}`;
    await ensureTopics(kafka, [{ topic, numPartitions: 1, replicationFactor: 1, minInsyncReplicas: 1, keepForever: true }]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await topicConfig(admin, topic, 'retention.ms')).toBe('-1');
      expect(await topicConfig(admin, topic, 'retention.bytes')).toBe('-1');
    } finally {
      await admin.disconnect();
    }
  });

  it('warns at start of a log of record created earlier with limited retention, and leaves the retention as it is', async () => {
    const limited = `test.topics.limited.${randomBytes(4).toString('hex')}`;
    const forever = `test.topics.forever.${randomBytes(4).toString('hex')}`;
    await ensureTopics(kafka, [{ topic: limited, numPartitions: 1 }]);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const specs = [limited, forever].map((topic) => ({ topic, numPartitions: 1, keepForever: true }));
      await ensureTopics(kafka, specs);
      const warnings = warn.mock.calls.map(([message]) => String(message));
      expect(warnings.filter((message) => message.includes(limited))).toHaveLength(1);
      expect(warnings.some((message) => message.includes(forever))).toBe(false);
      const admin = kafka.admin();
      await admin.connect();
      try {
        // The broker's default (7 days unless the broker says otherwise), not changed by the start.
        const retentionMs = await topicConfig(admin, limited, 'retention.ms');
        expect(retentionMs).not.toBe('-1');
        expect(await limitedRetention(admin, specs)).toEqual([{ topic: limited, retentionMs, retentionBytes: '-1' }]);
      } finally {
        await admin.disconnect();
      }
    } finally {
      warn.mockRestore();
    }
  });

  it('lets apps starting side by side, as npm start runs them, each create or find the same new topics', async () => {
    for (let round = 0; round < 5; round++) {
      const suffix = randomBytes(4).toString('hex');
      const specs = ['events', 'dlq'].map((name) => ({
        topic: `test.topics.race.${suffix}.${name}`,
        numPartitions: 3,
        replicationFactor: 1,
        minInsyncReplicas: 1,
      }));
      const apps = Array.from({ length: 6 }, (_, app) => createKafka({ brokers, clientId: `topics-race-${app}` }));
      await Promise.all(apps.map((app) => ensureTopics(app, specs, brokers)));
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((spec) => spec.topic) });
        expect(topics.map((topic) => topic.partitions.filter((partition) => partition.leader >= 0).length)).toEqual([3, 3]);
      } finally {
        await admin.disconnect();
      }
    }
  });

  it('creates its topics with compression.type=producer, and refuses one recompressing to a codec kafkajs cannot read', async () => {
    const created = `test.topics.${randomBytes(4).toString('hex')}`;
    await ensureTopics(kafka, [{ topic: created, numPartitions: 1 }]);
    const zstd = `test.topics.zstd.${randomBytes(4).toString('hex')}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await topicConfig(admin, created, 'compression.type')).toBe('producer');
      await admin.createTopics({ topics: [{ topic: zstd, numPartitions: 1, configEntries: [{ name: 'compression.type', value: 'zstd' }] }] });
    } finally {
      await admin.disconnect();
    }
    const error = await ensureTopics(kafka, [{ topic: zstd, numPartitions: 1 }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KafkaClusterError);
    expect((error as Error).message).toContain(`topic ${zstd} has compression.type=zstd, which the apps' Kafka client (kafkajs) cannot read`);
  });

  it('refuses an existing topic weaker than configured, naming it and both settings', async () => {
    const topic = `test.topics.${randomBytes(4).toString('hex')}`;
    await ensureTopics(kafka, [{ topic, numPartitions: 1 }]);
    const error = await ensureTopics(kafka, [{ topic, numPartitions: 1, replicationFactor: 3, minInsyncReplicas: 2 }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TopicDurabilityError);
    expect((error as Error).message).toContain(`Topic ${topic} has replication factor 1 and min.insync.replicas 1`);
    expect((error as Error).message).toContain('configured: replication factor 3, min.insync.replicas 2');
  });

  it('refuses to create a topic with more copies than the cluster has brokers, saying so', async () => {
    const topic = `test.topics.${randomBytes(4).toString('hex')}`;
    const error = await ensureTopics(kafka, [{ topic, numPartitions: 1, replicationFactor: 3 }], brokers).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KafkaClusterError);
    expect((error as Error).message).toMatch(/KAFKA_REPLICATION_FACTOR 3 needs at least 3 brokers .* has 1$/);
  });

  it('refuses an unreachable cluster with an error naming KAFKA_BROKERS instead of hanging', async () => {
    const nowhere = ['127.0.0.1:1'];
    const error = await connectChecked(createKafka({ brokers: nowhere, clientId: 'nowhere' }), nowhere, 3_000).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KafkaClusterError);
    expect((error as Error).message).toMatch(/cannot use the Kafka cluster at 127\.0\.0\.1:1: .*check KAFKA_BROKERS/);
  });
});
