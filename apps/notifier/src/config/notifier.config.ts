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
import { RetrySchedule, WebhooksEnv } from '@runstream/webhooks';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { SlackEnv } from '../slack/slack.env';

class NotifierEnv {
  /** The notifier's own consumer group on runs.events.v1: its partitions decide which instance sends what. */
  @IsString()
  @Length(1, 256)
  NOTIFIER_GROUP_ID = 'runstream-notifier';

  /**
   * The materializer's group: an outcome is taken once this group has committed past it (the read
   * model has the run). Unset: MATERIALIZER_GROUP_ID, else runstream-materializer.
   */
  @IsOptional()
  @IsString()
  @Length(1, 256)
  NOTIFIER_READ_MODEL_GROUP_ID?: string;

  /** Attempts (webhook and Slack) in flight at once, across all deliveries. */
  @IsInt()
  @Min(1)
  @Max(1024)
  NOTIFIER_CONCURRENCY: number = 16;

  /** How often the dispatcher looks for due attempts. */
  @IsInt()
  @Min(50)
  @Max(60_000)
  NOTIFIER_POLL_INTERVAL_MS: number = 1_000;

  /** Link to a run in webhook bodies and Slack messages; `{run_id}` is replaced. */
  @Matches(/^https?:\/\/\S+$/, { message: 'NOTIFIER_RUN_URL must be an http(s) URL (with {run_id} where the run id goes)' })
  NOTIFIER_RUN_URL = 'http://localhost:3001/api/v1/runs/{run_id}';

  /** The retry schedule's floor and first cap (it doubles from there to NOTIFIER_RETRY_MAX_DELAY_MS). */
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  NOTIFIER_RETRY_MIN_DELAY_MS: number = 5_000;

  @IsInt()
  @Min(10)
  @Max(3_600_000)
  NOTIFIER_RETRY_BASE_DELAY_MS: number = 60_000;

  @IsInt()
  @Min(10)
  @Max(24 * 3_600_000)
  NOTIFIER_RETRY_MAX_DELAY_MS: number = 3_600_000;

  /**
   * An outcome read from the log later than this after it happened is not sent (counted in
   * runstream_notifier_stale_outcomes_total). At most 30 days: delivery series are kept 35, and an
   * outcome still in this window always finds its series, so reading the log again sends nothing twice.
   */
  @IsInt()
  @Min(1_000)
  @Max(30 * 86_400_000)
  NOTIFIER_MAX_OUTCOME_AGE_MS: number = 86_400_000;

  /** How long the group waits for a silent instance before its partitions (and deliveries) move to another. */
  @IsInt()
  @Min(6_000)
  @Max(300_000)
  NOTIFIER_SESSION_TIMEOUT_MS: number = 30_000;

  /** Port of GET /metrics and GET /health; 0 picks a free port. */
  @IsInt()
  @Min(0)
  @Max(65535)
  NOTIFIER_METRICS_PORT: number = 3004;

  @IsString()
  NOTIFIER_METRICS_HOST = '127.0.0.1';
}

export interface NotifierConfig {
  kafka: KafkaConfig;
  clickhouse: ClickHouseConfig;
  log: LogConfig;
  groupId: string;
  readModelGroupId: string;
  concurrency: number;
  pollIntervalMs: number;
  runUrl: string;
  maxOutcomeAgeMs: number;
  schedule: RetrySchedule;
  sessionTimeoutMs: number;
  webhooks: { allowPrivate: boolean; timeoutMs: number };
  /** Slack Web API: token '' when none is configured (alerts are then logged as failed). */
  slack: { token: string; baseUrl: string; timeoutMs: number };
  metrics: { host: string; port: number };
}

export const NOTIFIER_CONFIG = Symbol('NOTIFIER_CONFIG');

export function loadNotifierConfig(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  const loaded = loadEnv({ kafka: KafkaEnv, clickhouse: ClickHouseEnv, log: LogEnv, notifier: NotifierEnv, webhooks: WebhooksEnv, slack: SlackEnv }, env);
  const n = loaded.notifier;
  return {
    kafka: kafkaConfig(loaded.kafka, 'notifier'),
    clickhouse: clickHouseConfig(loaded.clickhouse),
    log: logConfig(loaded.log),
    groupId: n.NOTIFIER_GROUP_ID,
    readModelGroupId: n.NOTIFIER_READ_MODEL_GROUP_ID ?? env.MATERIALIZER_GROUP_ID ?? 'runstream-materializer',
    concurrency: n.NOTIFIER_CONCURRENCY,
    pollIntervalMs: n.NOTIFIER_POLL_INTERVAL_MS,
    runUrl: n.NOTIFIER_RUN_URL,
    maxOutcomeAgeMs: n.NOTIFIER_MAX_OUTCOME_AGE_MS,
    schedule: { minDelayMs: n.NOTIFIER_RETRY_MIN_DELAY_MS, baseDelayMs: n.NOTIFIER_RETRY_BASE_DELAY_MS, maxDelayMs: n.NOTIFIER_RETRY_MAX_DELAY_MS },
    sessionTimeoutMs: n.NOTIFIER_SESSION_TIMEOUT_MS,
    webhooks: { allowPrivate: loaded.webhooks.NOTIFIER_ALLOW_PRIVATE_URLS, timeoutMs: loaded.webhooks.NOTIFIER_WEBHOOK_TIMEOUT_MS },
    slack: {
      token: loaded.slack.NOTIFIER_SLACK_BOT_TOKEN ?? '',
      baseUrl: loaded.slack.NOTIFIER_SLACK_API_URL.replace(/\/+$/, ''),
      timeoutMs: loaded.slack.NOTIFIER_SLACK_TIMEOUT_MS,
    },
    metrics: { host: n.NOTIFIER_METRICS_HOST, port: n.NOTIFIER_METRICS_PORT },
  };
}
