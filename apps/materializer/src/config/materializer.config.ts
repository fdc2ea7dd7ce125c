import { ClickHouseSettings } from '@clickhouse/client';
import { versionedInsertSettings } from '@runstream/clickhouse';
import {
  ClickHouseConfig,
  ClickHouseEnv,
  clickHouseConfig,
  KafkaConfig,
  KafkaEnv,
  kafkaConfig,
  loadEnv,
  LogConfig,
  logConfig,
  LogEnv,
} from '@runstream/config';
import { IsInt, IsString, Max, Min } from 'class-validator';

class MaterializerEnv {
  @IsString()
  MATERIALIZER_GROUP_ID = 'runstream-materializer';

  /** Messages per flush (one ClickHouse insert per table). */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MATERIALIZER_MAX_BATCH_SIZE: number = 10_000;

  /** Longest a message waits in the buffer before its flush starts. */
  @IsInt()
  @Min(1)
  @Max(60_000)
  MATERIALIZER_FLUSH_INTERVAL_MS: number = 100;

  /** Bytes fetched and held at once across partitions: bounds in-flight work and memory. */
  @IsInt()
  @Min(64 * 1024)
  @Max(1024 * 1024 * 1024)
  MATERIALIZER_MAX_BYTES_IN_FLIGHT: number = 16 * 1024 * 1024;

  /**
   * Longest one flush is retried on errors that are not the data's fault (ClickHouse or Kafka
   * unavailable, timeouts, too many parts, ...) before the process exits with status 1.
   */
  @IsInt()
  @Min(0)
  @Max(24 * 60 * 60 * 1000)
  MATERIALIZER_MAX_RETRY_MS: number = 5 * 60 * 1000;

  /** First backoff between retries of a failing flush; it doubles (with jitter) up to 10 s. */
  @IsInt()
  @Min(1)
  @Max(60_000)
  MATERIALIZER_RETRY_INITIAL_MS: number = 200;

  /** GET /health answers 503 once writes (or the Kafka consumer) have been failing this long. */
  @IsInt()
  @Min(0)
  @Max(24 * 60 * 60 * 1000)
  MATERIALIZER_UNHEALTHY_AFTER_MS: number = 30_000;

  /** Port of GET /metrics (Prometheus text) and GET /health; 0 picks a free port. */
  @IsInt()
  @Min(0)
  @Max(65535)
  MATERIALIZER_METRICS_PORT: number = 3002;

  @IsString()
  MATERIALIZER_METRICS_HOST = '127.0.0.1';
}

export interface MaterializerConfig {
  kafka: KafkaConfig;
  clickhouse: ClickHouseConfig & { insertSettings: ClickHouseSettings };
  log: LogConfig;
  groupId: string;
  maxBatchSize: number;
  flushIntervalMs: number;
  maxBytesInFlight: number;
  retry: { initialMs: number; maxTotalMs: number };
  unhealthyAfterMs: number;
  metrics: { host: string; port: number };
}

export const MATERIALIZER_CONFIG = Symbol('MATERIALIZER_CONFIG');

/**
 * One chDB session unless CLICKHOUSE_EMBEDDED_SESSIONS says (other apps take the store's default):
 * a flush's inserts side by side drained no faster on 2 cores and peaked ~80 MB higher
 * (BENCHMARKS.md section 2).
 */
const EMBEDDED_SESSIONS = 1;

export function loadMaterializerConfig(env: NodeJS.ProcessEnv = process.env): MaterializerConfig {
  const loaded = loadEnv({ kafka: KafkaEnv, clickhouse: ClickHouseEnv, log: LogEnv, materializer: MaterializerEnv }, env);
  return {
    kafka: kafkaConfig(loaded.kafka, 'materializer'),
    clickhouse: { ...clickHouseConfig(loaded.clickhouse, EMBEDDED_SESSIONS), insertSettings: versionedInsertSettings(loaded.clickhouse.CLICKHOUSE_CLUSTER) },
    log: logConfig(loaded.log),
    groupId: loaded.materializer.MATERIALIZER_GROUP_ID,
    maxBatchSize: loaded.materializer.MATERIALIZER_MAX_BATCH_SIZE,
    flushIntervalMs: loaded.materializer.MATERIALIZER_FLUSH_INTERVAL_MS,
    maxBytesInFlight: loaded.materializer.MATERIALIZER_MAX_BYTES_IN_FLIGHT,
    retry: { initialMs: loaded.materializer.MATERIALIZER_RETRY_INITIAL_MS, maxTotalMs: loaded.materializer.MATERIALIZER_MAX_RETRY_MS },
    unhealthyAfterMs: loaded.materializer.MATERIALIZER_UNHEALTHY_AFTER_MS,
    metrics: { host: loaded.materializer.MATERIALIZER_METRICS_HOST, port: loaded.materializer.MATERIALIZER_METRICS_PORT },
  };
}
