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
import { HttpLimits, httpLimits, HttpLimitsEnv } from '@runstream/http';
import { IsInt, IsUrl, Max, Min } from 'class-validator';

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

  /** Longest a write waits for Kafka's acknowledgement before the client gets 503. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  INGEST_PUBLISH_DEADLINE_MS: number = 5_000;

  /** Event bytes queued for or in flight to Kafka; past it writes get 503 at once. */
  @IsInt()
  @Min(1024 * 1024)
  @Max(1024 * 1024 * 1024)
  INGEST_PUBLISH_MAX_PENDING_BYTES: number = 64 * 1024 * 1024;

  /** The read API (query app) that answers GET /api/elt/runs/:id on this app's port too, so a runner needs one base URL. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'INGEST_QUERY_URL must be an http(s) URL' })
  INGEST_QUERY_URL: string = 'http://127.0.0.1:3001';
}

class IngestHttpEnv extends HttpEnv {
  override PORT: number = 3000;
}

class IngestHttpLimitsEnv extends HttpLimitsEnv {
  /**
   * Above the 5 s publish deadline plus INGEST_RUN_LOOKUP_WAIT_MS. A claim that also waits its
   * full 10 s for the decision meets this deadline first: its 503 then comes from here, and the
   * retry with the same key learns the outcome as usual.
   */
  override HTTP_REQUEST_TIMEOUT_MS: number = 15_000;
}

export interface IngestConfig {
  http: HttpConfig & { bodyLimitBytes: number };
  kafka: KafkaConfig;
  clickhouse: ClickHouseConfig;
  runLookupWaitMs: number;
  publish: { deadlineMs: number; maxPendingBytes: number };
  /** Where GET /api/elt/runs/:id is forwarded (the query app). */
  queryUrl: string;
  limits: HttpLimits;
}

export const INGEST_CONFIG = Symbol('INGEST_CONFIG');

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const loaded = loadEnv({ http: IngestHttpEnv, kafka: KafkaEnv, clickhouse: ClickHouseEnv, ingest: IngestEnv, limits: IngestHttpLimitsEnv }, env);
  return {
    http: { ...httpConfig(loaded.http), bodyLimitBytes: loaded.ingest.INGEST_BODY_LIMIT_BYTES },
    kafka: kafkaConfig(loaded.kafka, 'ingest'),
    clickhouse: clickHouseConfig(loaded.clickhouse),
    runLookupWaitMs: loaded.ingest.INGEST_RUN_LOOKUP_WAIT_MS,
    publish: { deadlineMs: loaded.ingest.INGEST_PUBLISH_DEADLINE_MS, maxPendingBytes: loaded.ingest.INGEST_PUBLISH_MAX_PENDING_BYTES },
    queryUrl: loaded.ingest.INGEST_QUERY_URL.replace(/\/+$/, ''),
    limits: httpLimits(loaded.limits),
  };
}
