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
import { WebhooksEnv } from '@runstream/webhooks';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { KubernetesConfig, kubernetesConfig, KubernetesEnv } from '../kubernetes/kubernetes.env';
import { LeaseSweeperConfig, leaseSweeperConfig, SchedulerConfig, schedulerConfig, SchedulerEnv } from '../scheduler/scheduler.env';

class ControlHttpEnv extends HttpEnv {
  override PORT: number = 3003;
}

class ControlHttpLimitsEnv extends HttpLimitsEnv {
  /** Above the publish deadline plus the wait for the jobs fold's decision. */
  override HTTP_REQUEST_TIMEOUT_MS: number = 20_000;
}

class ControlEnv {
  /** Gateway the runs of the local backend are targeted at; the runner agent polls as this gateway. */
  @IsString()
  @Length(1, 256)
  CONTROL_LOCAL_GATEWAY = 'local-gateway';

  /** Consumer group of the jobs fold (the single writer of job state). */
  @IsString()
  @Length(1, 256)
  CONTROL_JOBS_GROUP_ID = 'runstream-control-jobs';

  /** Longest a job command waits in the fold's buffer: part of every job write's latency. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  CONTROL_JOBS_FLUSH_INTERVAL_MS: number = 20;

  /** Longest the fold retries a failing write before the process exits (a new member takes over). */
  @IsInt()
  @Min(0)
  @Max(24 * 60 * 60 * 1000)
  CONTROL_JOBS_MAX_RETRY_MS: number = 5 * 60 * 1000;

  /** How long a job write waits for the fold's decision before answering 503 (the command may still apply). */
  @IsInt()
  @Min(100)
  @Max(60_000)
  CONTROL_DECISION_TIMEOUT_MS: number = 10_000;

  /** Longest a write waits for Kafka's acknowledgement before answering 503. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  CONTROL_PUBLISH_DEADLINE_MS: number = 5_000;

  /**
   * Live jobs an organisation may hold across its projects (each project holds at most 1,000,
   * decided by the fold). Checked when a job is created, so creates arriving at the same moment may each pass it.
   */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  CONTROL_MAX_JOBS_PER_ORG: number = 10_000;
}

export interface ControlConfig {
  http: HttpConfig;
  kafka: KafkaConfig;
  clickhouse: ClickHouseConfig;
  limits: HttpLimits;
  localGateway: string;
  jobsFold: { groupId: string; flushIntervalMs: number; maxRetryMs: number };
  decisionTimeoutMs: number;
  publishDeadlineMs: number;
  maxJobsPerOrg: number;
  scheduler: SchedulerConfig;
  leaseSweeper: LeaseSweeperConfig;
  kubernetes: KubernetesConfig;
  /** The test event's request: the notifier's webhook settings (NOTIFIER_WEBHOOK_TIMEOUT_MS, NOTIFIER_ALLOW_PRIVATE_URLS). */
  webhooks: { allowPrivate: boolean; timeoutMs: number };
}

export const CONTROL_CONFIG = Symbol('CONTROL_CONFIG');

export function loadControlConfig(env: NodeJS.ProcessEnv = process.env): ControlConfig {
  const loaded = loadEnv(
    {
      http: ControlHttpEnv,
      kafka: KafkaEnv,
      clickhouse: ClickHouseEnv,
      control: ControlEnv,
      limits: ControlHttpLimitsEnv,
      scheduler: SchedulerEnv,
      kubernetes: KubernetesEnv,
      webhooks: WebhooksEnv,
    },
    env,
  );
  const control = loaded.control;
  return {
    http: httpConfig(loaded.http),
    kafka: kafkaConfig(loaded.kafka, 'control'),
    clickhouse: clickHouseConfig(loaded.clickhouse),
    limits: httpLimits(loaded.limits),
    localGateway: control.CONTROL_LOCAL_GATEWAY,
    jobsFold: {
      groupId: control.CONTROL_JOBS_GROUP_ID,
      flushIntervalMs: control.CONTROL_JOBS_FLUSH_INTERVAL_MS,
      maxRetryMs: control.CONTROL_JOBS_MAX_RETRY_MS,
    },
    decisionTimeoutMs: control.CONTROL_DECISION_TIMEOUT_MS,
    publishDeadlineMs: control.CONTROL_PUBLISH_DEADLINE_MS,
    maxJobsPerOrg: control.CONTROL_MAX_JOBS_PER_ORG,
    scheduler: schedulerConfig(loaded.scheduler),
    leaseSweeper: leaseSweeperConfig(loaded.scheduler, env),
    kubernetes: kubernetesConfig(loaded.kubernetes),
    webhooks: { allowPrivate: loaded.webhooks.NOTIFIER_ALLOW_PRIVATE_URLS, timeoutMs: loaded.webhooks.NOTIFIER_WEBHOOK_TIMEOUT_MS },
  };
}
