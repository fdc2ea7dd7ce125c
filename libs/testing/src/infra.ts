import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** Port of the broker the test run starts itself (the dev broker of `npm start` uses 9092). */
export const TEST_KAFKA_PORT = 19092;

/**
 * chDB directories of the integration tier (one per jest worker). RUNSTREAM_TEST_CHDB_DIR lets
 * two test runs share a machine (and a broker given by KAFKA_BROKERS) without clearing each other's data.
 */
export const TEST_CHDB_DIR = process.env.RUNSTREAM_TEST_CHDB_DIR ?? join(REPO_ROOT, '.data', 'test-chdb');

/** Pinned to the broker version deploy/kafka/pom.xml fetches (Confluent 7.9 = Apache Kafka 3.9). */
export const KAFKA_IMAGE = 'confluentinc/cp-kafka:7.9.1';
export const CLICKHOUSE_IMAGE = 'clickhouse/clickhouse-server:25.8';

/** True when a Docker engine answers (a laptop, hosted CI); false on machines with only the client. */
export function dockerEngineAvailable(): boolean {
  if (process.env.RUNSTREAM_TEST_NO_DOCKER === '1') return false;
  const result = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 5_000, encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim().length > 0;
}

/**
 * Env for one test file's apps: its own topic prefix, consumer group and ClickHouse
 * database on the shared broker and engine, so files can run in parallel. chDB binds one
 * data directory per process, hence one directory per jest worker.
 */
export function isolatedEnv(name: string): NodeJS.ProcessEnv {
  const suffix = randomBytes(4).toString('hex');
  const slug = name.replace(/[^A-Za-z0-9]/g, '_').toLowerCase();
  return {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: `test.${slug}.${suffix}.`,
    KAFKA_TOPIC_PARTITIONS: '3',
    CLICKHOUSE_URL: process.env.CLICKHOUSE_URL,
    CLICKHOUSE_PATH: join(TEST_CHDB_DIR, `worker-${process.env.JEST_WORKER_ID ?? '0'}`),
    CLICKHOUSE_DATABASE: `test_${slug}_${suffix}`,
    MATERIALIZER_GROUP_ID: `test-${slug}-${suffix}`,
    MATERIALIZER_FLUSH_INTERVAL_MS: '50',
    MATERIALIZER_METRICS_PORT: '0',
    NOTIFIER_GROUP_ID: `test-notifier-${slug}-${suffix}`,
    NOTIFIER_METRICS_PORT: '0',
    NOTIFIER_SESSION_TIMEOUT_MS: '6000',
    INGEST_RUN_LOOKUP_WAIT_MS: '2000',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    // The BI SQL endpoint would want 8123 in every test's query app; its own tests turn it on.
    QUERY_SQL_PORT: '-1',
  };
}
