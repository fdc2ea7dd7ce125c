import { Inject, Injectable } from '@nestjs/common';
import { JobRow } from '@runstream/clickhouse';
import { withRetries } from '@runstream/runtime';
import { RunEventEnvelope, SCHEMA_VERSION, TriggeredBy, truncateText, uuidv7, validateEvent } from '@runstream/events';
import { ControlEventLog } from '../events/control-event-log';
import { parseCommand } from '../jobs/validation/command';
import { RUN_EXECUTOR, RunExecutor, RunPlacement } from './run-executor';
import { runJobName } from './run-names';

export interface StartRun {
  orgId: string;
  projectId: string;
  /** Token id of whoever started it (the scheduler passes its own actor name). */
  actor: string;
  job: JobRow;
  triggeredBy: TriggeredBy;
  /** Deterministic id (the scheduler's, per tick); default: a fresh random one. */
  runId?: string;
  /** The moment the run is named after (the tick for scheduled runs); default: now. */
  at?: Date;
  /** argv to run instead of the job's command (a validated override). */
  commandArgv?: string[];
}

/** The event would not pass the run event schema (e.g. an argv too long for it). */
export class InvalidRunEventError extends Error {
  override readonly name = 'InvalidRunEventError';
}

/** The run was created but its executor (the Kubernetes API) did not take it; it is ended as `error`. */
export class RunNotLaunchedError extends Error {
  override readonly name = 'RunNotLaunchedError';

  constructor(
    readonly runId: string,
    reason: string,
    /** Whether the run was ended as `error`; false when that write failed too (it stays pending). */
    readonly ended: boolean,
  ) {
    super(reason);
  }
}

/** An executor's refusal is kept short in the run's error summary. */
const MAX_LAUNCH_REASON_CHARS = 1_000;
/** Waits before each new launch attempt. */
const LAUNCH_RETRIES_MS = [200, 1_000];

/** `run_` + 32 hex, like the runs ingest creates. */
export function newRunId(): string {
  return `run_${uuidv7().replace(/-/g, '')}`;
}

/**
 * Starts a run of a job: a `run.created` event on runs.events.v1 (key = run id) placed by the
 * run executor (the local gateway the runner agent polls, or a Kubernetes Job it then launches). Resolves once the broker acknowledged it;
 * rejects with the publisher's errors (see ControlEventLog) or InvalidRunEventError.
 */
@Injectable()
export class RunStarter {
  constructor(
    private readonly log: ControlEventLog,
    @Inject(RUN_EXECUTOR) private readonly executor: RunExecutor,
  ) {}

  async start(request: StartRun): Promise<{ runId: string; jobName: string }> {
    const runId = request.runId ?? newRunId();
    const now = new Date();
    const placement = this.executor.place(
      request.orgId,
      request.projectId,
      request.job,
      runJobName(request.projectId, request.job.name, request.at ?? now),
      runId,
      request.triggeredBy,
    );
    const argv = request.commandArgv ?? this.argvOf(request.job);
    const event: RunEventEnvelope<'run.created'> = {
      event_id: uuidv7(now.getTime()),
      type: 'run.created',
      schema_version: SCHEMA_VERSION,
      org_id: request.orgId,
      project_id: request.projectId,
      run_id: runId,
      occurred_at: now.toISOString(),
      actor: request.actor,
      payload: {
        job_id: request.job.id,
        job_name: placement.job_name,
        cronjob_name: placement.cronjob_name,
        namespace: placement.namespace,
        job_type: 'run',
        triggered_by: request.triggeredBy,
        target_gateway: placement.target_gateway,
        command_argv: argv,
      },
    };
    const problem = validateEvent(event);
    if (problem) throw new InvalidRunEventError(problem);
    await this.log.appendRunEvent(event);
    await this.launch(request.job, runId, placement, argv).catch((error: unknown) => this.notLaunched(event, error));
    return { runId, jobName: placement.job_name };
  }

  /**
   * Launching is safe to repeat for one run (RunExecutor), so a failure is tried again: an answer
   * lost on the way back would otherwise end a run whose Job exists and runs.
   */
  private launch(job: JobRow, runId: string, placement: RunPlacement, argv: string[]): Promise<void> {
    return withRetries(() => this.executor.launch(job, runId, placement, argv), LAUNCH_RETRIES_MS);
  }

  /** The run exists but its executor refused it: it is ended as `error` (else it would stay pending for good), and the caller told. */
  private async notLaunched(created: RunEventEnvelope<'run.created'>, error: unknown): Promise<never> {
    const reason = truncateText(`not launched: ${error instanceof Error ? error.message : String(error)}`, MAX_LAUNCH_REASON_CHARS);
    const at = new Date();
    const ended = await this.log
      .appendRunEvent({
        ...created,
        event_id: uuidv7(at.getTime()),
        type: 'run.patched',
        occurred_at: at.toISOString(),
        payload: { status: 'error', error_summary: reason, append_log: { at: at.toISOString(), level: 'error', message: reason } },
      })
      .then(
        () => true,
        () => false, // Kafka gone too: the run stays pending, and the caller is told so.
      );
    throw new RunNotLaunchedError(created.run_id, reason, ended);
  }

  private argvOf(job: JobRow): string[] {
    const parsed = parseCommand(job.command);
    // Stored commands passed the same parser when they were written.
    if (!parsed.ok) throw new InvalidRunEventError(`job ${job.id}: command ${parsed.reason}`);
    return parsed.argv;
  }
}
