import { ConfigError, loadEnv } from './load-config';
import { ClickHouseEnv, clickHouseConfig, KafkaEnv, kafkaConfig } from './shared-env';

describe('loadEnv', () => {
  it('uses defaults when nothing is set', () => {
    const { kafka } = loadEnv({ kafka: KafkaEnv }, {});
    expect(kafkaConfig(kafka, 'x')).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'runstream-x',
      topicPartitions: 6,
      replicationFactor: 1,
      minInsyncReplicas: 1,
      topics: { events: 'runs.events.v1', deadLetters: 'runs.events.dlq.v1', jobs: 'jobs.events.v1', jobDeadLetters: 'jobs.events.dlq.v1' },
      security: {},
    });
  });

  it('converts numbers and applies the topic prefix', () => {
    const { kafka } = loadEnv({ kafka: KafkaEnv }, { KAFKA_TOPIC_PARTITIONS: '12', KAFKA_TOPIC_PREFIX: 'staging.', KAFKA_BROKERS: 'a:1, b:2' });
    expect(kafkaConfig(kafka, 'x')).toMatchObject({
      brokers: ['a:1', 'b:2'],
      topicPartitions: 12,
      topics: { events: 'staging.runs.events.v1', jobDeadLetters: 'staging.jobs.events.dlq.v1' },
    });
  });

  it('takes replication settings and refuses a min.insync.replicas above the replication factor', () => {
    const { kafka } = loadEnv({ kafka: KafkaEnv }, { KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' });
    expect(kafkaConfig(kafka, 'x')).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(() => loadEnv({ kafka: KafkaEnv }, { KAFKA_MIN_INSYNC_REPLICAS: '2' })).toThrow(
      /KAFKA_MIN_INSYNC_REPLICAS must not exceed KAFKA_REPLICATION_FACTOR/,
    );
    expect(() => loadEnv({ kafka: KafkaEnv }, { KAFKA_REPLICATION_FACTOR: '0' })).toThrow(/KAFKA_REPLICATION_FACTOR/);
  });

  it("takes an app's own number of chDB sessions unless CLICKHOUSE_EMBEDDED_SESSIONS says", () => {
    const unset = loadEnv({ clickhouse: ClickHouseEnv }, {}).clickhouse;
    expect(clickHouseConfig(unset).sessions).toBeUndefined();
    expect(clickHouseConfig(unset, 1).sessions).toBe(1);
    const set = loadEnv({ clickhouse: ClickHouseEnv }, { CLICKHOUSE_EMBEDDED_SESSIONS: '8' }).clickhouse;
    expect(clickHouseConfig(set).sessions).toBe(8);
    expect(clickHouseConfig(set, 1).sessions).toBe(8);
    expect(() => loadEnv({ clickhouse: ClickHouseEnv }, { CLICKHOUSE_EMBEDDED_SESSIONS: '0' })).toThrow(/CLICKHOUSE_EMBEDDED_SESSIONS/);
  });

  it('puts at most CLICKHOUSE_MAX_URL_BYTES of key lists in a request URL: 256 KiB unless set for a proxy', () => {
    expect(clickHouseConfig(loadEnv({ clickhouse: ClickHouseEnv }, {}).clickhouse).maxUrlBytes).toBe(262_144);
    expect(clickHouseConfig(loadEnv({ clickhouse: ClickHouseEnv }, { CLICKHOUSE_MAX_URL_BYTES: '8192' }).clickhouse).maxUrlBytes).toBe(8192);
    expect(() => loadEnv({ clickhouse: ClickHouseEnv }, { CLICKHOUSE_MAX_URL_BYTES: '100' })).toThrow(/CLICKHOUSE_MAX_URL_BYTES/);
  });

  it('fails naming every bad variable', () => {
    let error: unknown;
    try {
      loadEnv(
        { kafka: KafkaEnv, clickhouse: ClickHouseEnv },
        { KAFKA_TOPIC_PARTITIONS: 'many', CLICKHOUSE_DATABASE: 'drop table;', CLICKHOUSE_URL: 'ftp://x' },
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('KAFKA_TOPIC_PARTITIONS');
    expect(message).toContain('CLICKHOUSE_DATABASE');
    expect(message).toContain('CLICKHOUSE_URL');
  });
});
