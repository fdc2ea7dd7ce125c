import { ExecutorLogger, IngestClient, Outcome, RunTask, RunTaskSettings } from '@runstream/executor';
import { acquireRun, RunnerRefusal, STOPPED_EXIT_CODE } from './pod-run';
import type { RunnerConfig } from './runner.config';

export interface PodOptions {
  /** The pod's environment: the job's variables and the runner's RUNSTREAM_* (default process.env). */
  env?: NodeJS.ProcessEnv;
  logger: ExecutorLogger;
  /** Names this pod in Idempotency-Keys of its reports (default: the pod's HOSTNAME). */
  podName?: string;
}

export interface RunningPod {
  /** Resolves with the code the pod should exit with. */
  readonly exitCode: Promise<number>;
  /** The pod is terminating (SIGTERM): end the program, report the run `cancelled`. */
  stop(reason: string): void;
}

/** The job's environment: the pod's, without the runner's own RUNSTREAM_* (the gateway token stays here). */
export function jobEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !name.startsWith('RUNSTREAM_')) out[name] = value;
  return out;
}

/** The pod's exit code mirrors the run, so the Kubernetes Job's status agrees with it. */
export function exitCodeOf(outcome: Outcome): number {
  if (outcome.status === 'succeeded') return 0;
  if (outcome.exitCode !== undefined) return outcome.exitCode;
  return outcome.status === 'cancelled' ? STOPPED_EXIT_CODE : 1;
}

/**
 * The runner of a Kubernetes pod: acquires its run (creates it for a CronJob's tick, or takes
 * the triggered one), then executes `argv` as the agent executes a claimed run, through the same
 * RunTask and reports (PATCH /api/agent/runs/:id with the gateway token).
 */
export function startPod(config: RunnerConfig, argv: string[], options: PodOptions): RunningPod {
  const env = options.env ?? process.env;
  const { logger } = options;
  const client = new IngestClient(config.ingestUrl, config.gatewayToken, (status, waitMs) =>
    logger.warn(`ingest answered ${status}: pausing requests for ${Math.ceil(waitMs / 1000)} s (Retry-After)`),
  );
  let stopReason: string | undefined;
  let stopDeadline = Infinity;
  const stopped = new AbortController();
  let task: RunTask | undefined;
  const settings: RunTaskSettings = {
    heartbeatMs: config.heartbeatMs,
    logFlushMs: config.logFlushMs,
    killGraceMs: config.killGraceMs,
    maxRunSeconds: config.maxRunSeconds,
    inheritEnv: [],
  };

  async function execute(): Promise<number> {
    let runId: string;
    try {
      runId = await acquireRun(client, config.run, stopped.signal);
    } catch (error) {
      if (!(error instanceof RunnerRefusal)) throw error;
      if (error.exitCode === 0) logger.log(error.message);
      else logger.error(error.message);
      return error.exitCode;
    }
    logger.log(`run ${runId}: claimed`);
    task = new RunTask({ id: runId, command: argv, environment: jobEnvironment(env) }, client, {
      config: settings,
      executorId: options.podName ?? env.HOSTNAME ?? runId,
      role: 'runner',
      logger,
      env: {},
      finalDeadline: () => stopDeadline,
      finalRetryMs: config.finalReportMs,
      // The pod's log (kubectl logs, GET /api/v1/jobs/:id/logs) shows the program's output, as a plain container's would.
      echo: (stream, line) => (stream === 'stderr' ? process.stderr : process.stdout).write(`${line}\n`),
    });
    if (stopReason) task.stop(stopReason);
    return exitCodeOf(await task.run());
  }

  return {
    exitCode: execute(),
    stop(reason: string): void {
      if (stopReason) return;
      stopReason = reason;
      stopDeadline = Date.now() + config.shutdownReportMs;
      stopped.abort();
      task?.stop(reason);
    },
  };
}
