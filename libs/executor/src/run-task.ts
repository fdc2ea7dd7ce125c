import { buildChildEnv, Execution } from './execution';
import { IngestClient } from './ingest-client';
import { lineLevel } from './log-batch';
import { Outcome, outcomeOf, Tail } from './outcome';
import { parseProgress } from './progress';
import { ExecutorLogger, RunReporter } from './run-reporter';

/** The run to execute: as GET /api/agent/runs lists it to an agent, or as a pod's runner knows it from its Job. */
export interface ListedRun {
  id: string;
  projectId?: string;
  jobName?: string;
  /** argv; empty when the run has nothing to execute. */
  command?: unknown;
  /** The job's environment; absent from older ingest versions. */
  environment?: unknown;
}

/** Who executes the run: its log lines and messages name it ('agent', or the Kubernetes pod's 'runner'). */
export type ExecutorRole = 'agent' | 'runner';

/** How a run's program is executed and reported (the agent's AGENT_*, the runner's RUNNER_* settings). */
export interface RunTaskSettings {
  heartbeatMs: number;
  logFlushMs: number;
  killGraceMs: number;
  /**
   * Longest a program may run (0: no limit); past it, it is stopped as on SIGTERM and the run
   * fails, so a program hung on a lock cannot hold its executor's slot, or its pod, for good.
   */
  maxRunSeconds?: number;
  /** Directories (PATH syntax) put in front of the inherited PATH. */
  extraPath?: string;
  /** Names beyond the default list that the program inherits. */
  inheritEnv: readonly string[];
}

export interface RunTaskContext {
  config: RunTaskSettings;
  /** Names this executor (an agent, a pod) in its reports' Idempotency-Keys. */
  executorId: string;
  role?: ExecutorRole;
  logger: ExecutorLogger;
  env: NodeJS.ProcessEnv;
  finalDeadline: () => number;
  /** Also hears each output line as the program wrote it (a pod's runner: to its own output, for the pod's log). */
  echo?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Longest the final report is retried (the runner's pod must end; the agent retries until it stops). */
  finalRetryMs?: number;
}

function argvOf(run: ListedRun): string[] {
  return Array.isArray(run.command) ? run.command.filter((arg): arg is string => typeof arg === 'string') : [];
}

/** Only string values: anything else in the listed environment is ignored rather than stringified. */
function environmentOf(run: ListedRun): Record<string, string> {
  const env: Record<string, string> = {};
  if (run.environment && typeof run.environment === 'object' && !Array.isArray(run.environment)) {
    for (const [name, value] of Object.entries(run.environment)) if (typeof value === 'string') env[name] = value;
  }
  return env;
}

/** One claimed run: its program, output and progress wired to a RunReporter, and its final status. */
export class RunTask {
  readonly finished: Promise<void>;
  private readonly role: ExecutorRole;
  private markFinished: () => void = () => undefined;
  private stopReason?: string;
  /** Why the program was stopped at its run-time limit, once it was. */
  private timedOut?: string;
  private execution?: Execution;

  constructor(
    private readonly run_: ListedRun,
    private readonly client: IngestClient,
    private readonly context: RunTaskContext,
  ) {
    this.finished = new Promise((resolve) => (this.markFinished = resolve));
    this.role = context.role ?? 'agent';
  }

  /** Ends the program (SIGTERM, SIGKILL after the grace period); the run is reported `cancelled` with `reason`. */
  stop(reason: string): void {
    this.stopReason ??= reason;
    void this.execution?.terminate(this.context.config.killGraceMs);
  }

  /** SIGKILLs the program's whole process group at once, reporting nothing: the agent is exiting now. */
  kill(): void {
    this.execution?.kill();
  }

  /** Resolves with the run's outcome once its final status was reported (or retries ran out). */
  async run(): Promise<Outcome> {
    try {
      return await this.execute();
    } finally {
      this.markFinished();
    }
  }

  private async execute(): Promise<Outcome> {
    const { config, logger } = this.context;
    const runId = this.run_.id;
    const reporter = new RunReporter(this.client, runId, {
      executorId: this.context.executorId,
      flushMs: config.logFlushMs,
      heartbeatMs: config.heartbeatMs,
      logger,
      finalDeadline: this.context.finalDeadline,
      finalRetryMs: this.context.finalRetryMs,
      onClosedByServer: (status) => this.stop(`run already ${status} on the server`),
    });
    const argv = argvOf(this.run_);
    if (argv.length === 0) return this.finish(reporter, { status: 'failed', errorSummary: 'run has no command' });
    if (this.stopReason) return this.finish(reporter, { status: 'cancelled', errorSummary: this.stopReason });

    const env = buildChildEnv(this.context.env, environmentOf(this.run_), { extraPath: config.extraPath, inheritEnv: config.inheritEnv, runId });
    const stderrTail = new Tail();
    const errorTail = new Tail();
    logger.log(`run ${runId}: starting ${argv.join(' ')}`);
    this.execution = new Execution(argv, env, {
      onSpawn: (at) => reporter.started(at),
      onLine: (stream, line) => {
        this.context.echo?.(stream, line);
        const level = lineLevel(stream, line);
        reporter.line(level, line);
        if (level === 'error') errorTail.push(line);
        if (stream === 'stderr') stderrTail.push(line);
        const progress = parseProgress(line);
        if (progress) reporter.progressed(progress);
      },
    });
    if (this.stopReason) this.stop(this.stopReason);
    const limit = this.runTimeLimit();
    const result = await this.execution.done;
    clearTimeout(limit);

    // The lines that explain a failure: those reporting an error, else the last stderr lines.
    const tail = errorTail.text() || stderrTail.text();
    const outcome = this.timedOut
      ? { status: 'failed' as const, errorSummary: tail ? `${this.timedOut}\n${tail}` : this.timedOut }
      : outcomeOf(result, argv[0], env.PATH, tail, this.stopReason, this.role);
    if (outcome.exitCode !== undefined) reporter.summarize({ exitCode: outcome.exitCode });
    if (outcome.status === 'succeeded') reporter.summarize({ progress: 100, currentPhase: 'finished' });
    logger.log(`run ${runId}: ${outcome.status}${outcome.errorSummary ? ` (${outcome.errorSummary.split('\n')[0]})` : ''}`);
    return this.finish(reporter, outcome);
  }

  /** Stops the program once it has run maxRunSeconds; the run then fails with the reason. */
  private runTimeLimit(): NodeJS.Timeout | undefined {
    const seconds = this.context.config.maxRunSeconds ?? 0;
    if (seconds <= 0) return undefined;
    return setTimeout(() => {
      if (this.stopReason) return;
      this.timedOut = `ran longer than its limit of ${seconds} s (${this.role === 'agent' ? 'AGENT' : 'RUNNER'}_MAX_RUN_SECONDS); stopped`;
      void this.execution?.terminate(this.context.config.killGraceMs);
    }, seconds * 1000);
  }

  /**
   * Ends the run with the executor's own last log line when it did not succeed, so the run's log
   * (GET /runs/:id/logs, the Jobs API's logs) says why: a program that never started wrote none.
   */
  private async finish(reporter: RunReporter, outcome: Outcome): Promise<Outcome> {
    const { status, errorSummary } = outcome;
    if (errorSummary) reporter.line(status === 'cancelled' ? 'warn' : 'error', `[${this.role}] ${errorSummary.split('\n')[0]}`);
    await reporter.finish(status, errorSummary);
    return outcome;
  }
}
