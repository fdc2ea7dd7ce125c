import { ConfigError, loadEnv, LogConfig, logConfig, LogEnv } from '@runstream/config';
import { TRIGGERS, TriggeredBy } from '@runstream/events';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Length, Max, Min } from 'class-validator';

/**
 * What a Kubernetes pod's runner is told: the RUNSTREAM_* variables the control plane's CronJob
 * and Job templates set (docs/kubernetes.md, "Runner image contract"), and optional timings.
 */
class RunnerEnv {
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'RUNSTREAM_INGEST_URL must be an http(s) URL' })
  RUNSTREAM_INGEST_URL = '';

  @IsString()
  @Length(1, 4096, { message: 'RUNSTREAM_GATEWAY_TOKEN is required (a gateway token of CONTROL_KUBERNETES_GATEWAY)' })
  RUNSTREAM_GATEWAY_TOKEN = '';

  /** The gateway the token must be of (CONTROL_KUBERNETES_GATEWAY): a scheduled pod's run is created for it. */
  @IsOptional()
  @IsString()
  RUNSTREAM_GATEWAY?: string;

  /** Set in triggered Jobs only: the run the control plane created. */
  @IsOptional()
  @IsString()
  RUNSTREAM_RUN_ID?: string;

  @IsOptional()
  @IsString()
  RUNSTREAM_PROJECT_ID?: string;

  @IsOptional()
  @IsString()
  RUNSTREAM_JOB_ID?: string;

  @IsOptional()
  @IsString()
  RUNSTREAM_CRONJOB_NAME?: string;

  @IsOptional()
  @IsString()
  RUNSTREAM_NAMESPACE?: string;

  @IsOptional()
  @IsString()
  RUNSTREAM_K8S_JOB_NAME?: string;

  @IsIn(TRIGGERS, { message: `RUNSTREAM_TRIGGERED_BY must be one of ${TRIGGERS.join(', ')}` })
  RUNSTREAM_TRIGGERED_BY: TriggeredBy = 'scheduled';

  /** A PATCH at least this often while the program runs: at most a quarter of the control plane's lease (CONTROL_RUN_LEASE_MS, 60 s by default). */
  @IsInt()
  @Min(100)
  @Max(300_000)
  RUNNER_HEARTBEAT_MS: number = 15_000;

  /** Output lines arriving within this window become one appendLog message. */
  @IsInt()
  @Min(10)
  @Max(60_000)
  RUNNER_LOG_FLUSH_MS: number = 250;

  /** After the pod's SIGTERM, how long the program has before SIGKILL (Kubernetes' own grace is 30 s). */
  @IsInt()
  @Min(0)
  @Max(600_000)
  RUNNER_KILL_GRACE_MS: number = 10_000;

  /** Longest the job's program may run before it is stopped and the run fails (0: no limit). */
  @IsInt()
  @Min(0)
  // A timer's longest delay (2^31 - 1 ms, ~24.8 days): Node fires a longer one at once.
  @Max(2_147_483)
  RUNNER_MAX_RUN_SECONDS: number = 86_400;

  /** How long the final report is retried at most, so the pod ends even while ingest is down (the run's lease, CONTROL_RUN_LEASE_MS, is 60 s by default). */
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  RUNNER_FINAL_REPORT_MS: number = 120_000;

  /** After SIGTERM, how long the final report may keep retrying. */
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  RUNNER_SHUTDOWN_REPORT_MS: number = 15_000;
}

/** The run a scheduled pod creates: everything POST /api/agent/runs needs, and the key that makes it one per Kubernetes Job. */
export interface ScheduledRun {
  idempotencyKey: string;
  body: { projectId: string; jobId: string; jobName: string; cronjobName: string; namespace: string; triggeredBy: TriggeredBy; targetGateway?: string };
}

export interface RunnerConfig {
  ingestUrl: string;
  gatewayToken: string;
  /** Either the run the control plane created (triggered), or the one to create (scheduled). */
  run: { kind: 'given'; runId: string } | { kind: 'create'; create: ScheduledRun };
  heartbeatMs: number;
  logFlushMs: number;
  killGraceMs: number;
  maxRunSeconds: number;
  finalReportMs: number;
  shutdownReportMs: number;
  log: LogConfig;
}

function required(env: RunnerEnv, names: (keyof RunnerEnv)[]): string[] {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0)
    throw new ConfigError(missing.map((name) => `${name} is required when RUNSTREAM_RUN_ID is not set (a scheduled pod creates its run)`));
  return names.map((name) => String(env[name]));
}

function runOf(env: RunnerEnv): RunnerConfig['run'] {
  if (env.RUNSTREAM_RUN_ID) return { kind: 'given', runId: env.RUNSTREAM_RUN_ID };
  // The job id makes a repeated announcement of the run the same scheduled run to the fold.
  const [projectId, jobId, namespace, jobName] = required(env, ['RUNSTREAM_PROJECT_ID', 'RUNSTREAM_JOB_ID', 'RUNSTREAM_NAMESPACE', 'RUNSTREAM_K8S_JOB_NAME']);
  return {
    kind: 'create',
    create: {
      // The CronJob controller names each tick's Job once, so this key is one run per tick.
      idempotencyKey: `k8s/${namespace}/${jobName}`,
      body: {
        projectId,
        jobId,
        jobName,
        cronjobName: env.RUNSTREAM_CRONJOB_NAME ?? '',
        namespace,
        triggeredBy: env.RUNSTREAM_TRIGGERED_BY,
        // Named, so that ingest refuses a token of another gateway instead of filing the run under it.
        ...(env.RUNSTREAM_GATEWAY ? { targetGateway: env.RUNSTREAM_GATEWAY } : {}),
      },
    },
  };
}

export function loadRunnerConfig(env: NodeJS.ProcessEnv = process.env): RunnerConfig {
  const { runner, log } = loadEnv({ runner: RunnerEnv, log: LogEnv }, env);
  return {
    ingestUrl: runner.RUNSTREAM_INGEST_URL.replace(/\/+$/, ''),
    gatewayToken: runner.RUNSTREAM_GATEWAY_TOKEN.trim(),
    run: runOf(runner),
    heartbeatMs: runner.RUNNER_HEARTBEAT_MS,
    logFlushMs: runner.RUNNER_LOG_FLUSH_MS,
    killGraceMs: runner.RUNNER_KILL_GRACE_MS,
    maxRunSeconds: runner.RUNNER_MAX_RUN_SECONDS,
    finalReportMs: runner.RUNNER_FINAL_REPORT_MS,
    shutdownReportMs: runner.RUNNER_SHUTDOWN_REPORT_MS,
    log: logConfig(log),
  };
}
