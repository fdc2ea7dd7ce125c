import { ClickHouseSettings } from '@clickhouse/client';
import { ClickHouseConfig, ClickHouseEnv, clickHouseConfig, HttpConfig, HttpEnv, httpConfig, loadEnv } from '@runstream/config';
import { HttpLimits, httpLimits, HttpLimitsEnv } from '@runstream/http';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min, Matches, MinLength, ValidateIf } from 'class-validator';
import { RunStreamOptions } from '../stream/run-stream.options';

class QueryHttpEnv extends HttpEnv {
  override PORT: number = 3001;
}

/** Bounds on the ClickHouse work one process of the read API may do (docs/read-api.md, "Limits"). */
class QueryLimitsEnv {
  /** Per statement; ClickHouse cancels it past this (TIMEOUT_EXCEEDED, answered 503). */
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  QUERY_MAX_EXECUTION_TIME_MS: number = 10_000;

  /** Per statement (MEMORY_LIMIT_EXCEEDED, answered 503). chDB runs inside this process, so this bounds our RSS too. */
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  QUERY_MAX_MEMORY_BYTES: number = 512 * 1024 * 1024;

  /** Rows one statement may answer (TOO_MANY_ROWS_OR_BYTES, answered 422: the request must be narrowed). */
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  QUERY_MAX_RESULT_ROWS: number = 500_000;

  /** Uncompressed bytes one statement may answer: rows alone do not bound an answer of wide text (a BI query over log lines). */
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  QUERY_MAX_RESULT_BYTES: number = 128 * 1024 * 1024;

  /** Requests doing ClickHouse work at once; chDB serialises statements anyway. */
  @IsInt()
  @Min(1)
  @Max(1_000)
  QUERY_MAX_CONCURRENT: number = 4;

  /** Requests waiting for a slot; one more is answered 503 at once. */
  @IsInt()
  @Min(0)
  @Max(100_000)
  QUERY_MAX_QUEUED: number = 64;

  /** How long a request may wait for a slot before it is answered 503. */
  @IsInt()
  @Min(1)
  @Max(600_000)
  QUERY_MAX_QUEUE_WAIT_MS: number = 5_000;
}

/** Where the web app's Jobs API calls go: the query app forwards them so the browser stays same-origin (docs/web.md). */
class QueryWebEnv {
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'QUERY_CONTROL_URL must be an http(s) URL' })
  QUERY_CONTROL_URL: string = 'http://127.0.0.1:3003';

  /** The built web app (index.html, assets/); unset: dist/web, where `npm run build` puts it. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  QUERY_WEB_DIR?: string;
}

/** The ClickHouse-compatible SQL endpoint for BI tools (docs/bi.md). */
class QuerySqlEnv {
  /** Its own port; 0 picks a free one, -1 turns the endpoint off. */
  @IsInt()
  @Min(-1)
  @Max(65_535)
  QUERY_SQL_PORT: number = 8123;

  /** With CLICKHOUSE_URL: derives each organisation's BI user password; `npm run bi -- grant` must see the same key. Empty = unset. */
  @ValidateIf((env: QuerySqlEnv) => env.QUERY_SQL_SERVER_KEY !== undefined && env.QUERY_SQL_SERVER_KEY !== '')
  @IsString()
  @MinLength(16, { message: 'QUERY_SQL_SERVER_KEY must be at least 16 characters' })
  // The shipped manifests' placeholder is public: every BI password derived from it would be too.
  @Matches(/^(?!REPLACE_ME)/, { message: 'QUERY_SQL_SERVER_KEY is still the placeholder (REPLACE_ME…): set a secret of 16+ random characters' })
  QUERY_SQL_SERVER_KEY?: string;

  /**
   * Answer bytes the endpoint may hold for clients still reading them (a slow reader keeps its
   * whole answer in memory); past it, a query is answered 503 with Retry-After before it runs.
   */
  @IsInt()
  @Min(1024 * 1024)
  QUERY_SQL_MAX_UNSENT_BYTES: number = 256 * 1024 * 1024;
}

/** Live run streams (GET /api/v1/runs/:id/stream, docs/change-feed.md). */
class QueryStreamEnv {
  /** How often a streamed run's read model is polled (one poller per run, shared by its streams). */
  @IsInt()
  @Min(50)
  @Max(60_000)
  QUERY_STREAM_POLL_MS: number = 250;

  /** Open streams one token may hold; one more is answered 429 with Retry-After. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  QUERY_STREAM_MAX_PER_TOKEN: number = 20;

  /** Open streams the query app holds in all, whatever their tokens; one more is answered 503 with Retry-After. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  QUERY_STREAM_MAX_TOTAL: number = 2_000;
}

export interface QuerySqlConfig {
  /** -1: off. */
  port: number;
  /** QUERY_SQL_MAX_UNSENT_BYTES. */
  maxUnsentBytes: number;
  serverKey?: string;
}

export interface QueryGateConfig {
  maxConcurrent: number;
  maxQueued: number;
  maxQueueWaitMs: number;
}

export interface QueryConfig {
  http: HttpConfig;
  clickhouse: ClickHouseConfig & { querySettings: ClickHouseSettings };
  gate: QueryGateConfig;
  limits: HttpLimits;
  /** Base URL of the control app (Jobs API), no trailing slash. */
  controlUrl: string;
  /** Directory of the built web app; undefined: dist/web. */
  webDir?: string;
  sql: QuerySqlConfig;
  stream: RunStreamOptions;
}

/** Every statement of the query app runs under these; `throw` makes an oversized answer an error, not a silently cut one. */
export function querySettings(env: QueryLimitsEnv): ClickHouseSettings {
  return {
    max_execution_time: env.QUERY_MAX_EXECUTION_TIME_MS / 1000,
    max_memory_usage: String(env.QUERY_MAX_MEMORY_BYTES),
    max_result_rows: String(env.QUERY_MAX_RESULT_ROWS),
    max_result_bytes: String(env.QUERY_MAX_RESULT_BYTES),
    result_overflow_mode: 'throw',
  };
}

export function loadQueryConfig(env: NodeJS.ProcessEnv = process.env): QueryConfig {
  const loaded = loadEnv(
    {
      http: QueryHttpEnv,
      clickhouse: ClickHouseEnv,
      limits: QueryLimitsEnv,
      http_limits: HttpLimitsEnv,
      web: QueryWebEnv,
      sql: QuerySqlEnv,
      stream: QueryStreamEnv,
    },
    env,
  );
  const limits = loaded.limits;
  return {
    http: httpConfig(loaded.http),
    clickhouse: { ...clickHouseConfig(loaded.clickhouse), querySettings: querySettings(limits) },
    gate: { maxConcurrent: limits.QUERY_MAX_CONCURRENT, maxQueued: limits.QUERY_MAX_QUEUED, maxQueueWaitMs: limits.QUERY_MAX_QUEUE_WAIT_MS },
    limits: httpLimits(loaded.http_limits),
    controlUrl: loaded.web.QUERY_CONTROL_URL.replace(/\/+$/, ''),
    webDir: loaded.web.QUERY_WEB_DIR,
    sql: {
      port: loaded.sql.QUERY_SQL_PORT,
      serverKey: loaded.sql.QUERY_SQL_SERVER_KEY || undefined,
      maxUnsentBytes: loaded.sql.QUERY_SQL_MAX_UNSENT_BYTES,
    },
    stream: {
      pollIntervalMs: loaded.stream.QUERY_STREAM_POLL_MS,
      maxStreamsPerToken: loaded.stream.QUERY_STREAM_MAX_PER_TOKEN,
      maxStreams: loaded.stream.QUERY_STREAM_MAX_TOTAL,
      heartbeatMs: 15_000,
      reconnectMs: 1_000,
      // The token cache's own freshness (libs/auth): checking more often would see nothing new.
      tokenCheckMs: 5_000,
    },
  };
}
