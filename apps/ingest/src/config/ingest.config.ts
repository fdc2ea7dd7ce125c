import {
  ClickHouseConfig,
  ClickHouseEnv,
  clickHouseConfig,
  HttpConfig,
  HttpEnv,
  httpConfig,
  KafkaConfig,
  KafkaEnv,
  kafkaConfig,
  loadEnv,
} from '@runstream/config';
import { IsInt, Max, Min } from 'class-validator';

class IngestEnv {
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  INGEST_BODY_LIMIT_BYTES: number = 1024 * 1024;

  /** How long a write for a run this instance has not seen waits for the read model before 404. */
  @IsInt()
  @Min(0)
  @Max(30_000)
  INGEST_RUN_LOOKUP_WAIT_MS: number = 2_000;
}

class IngestHttpEnv extends HttpEnv {
  override PORT: number = 3000;
}

export interface IngestConfig {
  http: HttpConfig & { bodyLimitBytes: number };
  kafka: KafkaConfig;
  clickhouse: ClickHouseConfig;
  runLookupWaitMs: number;
}

export const INGEST_CONFIG = Symbol('INGEST_CONFIG');

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const loaded = loadEnv({ http: IngestHttpEnv, kafka: KafkaEnv, clickhouse: ClickHouseEnv, ingest: IngestEnv }, env);
  return {
    http: { ...httpConfig(loaded.http), bodyLimitBytes: loaded.ingest.INGEST_BODY_LIMIT_BYTES },
    kafka: kafkaConfig(loaded.kafka, 'ingest'),
    clickhouse: clickHouseConfig(loaded.clickhouse),
    runLookupWaitMs: loaded.ingest.INGEST_RUN_LOOKUP_WAIT_MS,
  };
}
