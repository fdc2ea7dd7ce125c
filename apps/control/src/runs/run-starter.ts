import { Inject, Injectable } from '@nestjs/common';
import { JobRow } from '@runstream/clickhouse';
import { RunEventEnvelope, SCHEMA_VERSION, TriggeredBy, uuidv7, validateEvent } from '@runstream/events';
import { CONTROL_CONFIG, ControlConfig } from '../config/control.config';
import { ControlEventLog } from '../events/control-event-log';
import { parseCommand } from '../jobs/validation/command';

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

/** `run_` + 32 hex, like the runs ingest creates. */
export function newRunId(): string {
  return `run_${uuidv7().replace(/-/g, '')}`;
}

/** `<project>-<job>-<YYYYMMDD-HHMMSS>` in UTC, the reference's job run name. */
export function runJobName(projectId: string, jobName: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${projectId}-${jobName}-${stamp}`;
}

/**
 * Starts a run of a job: a `run.created` event on runs.events.v1 (key = run id) targeted at
 * the local gateway, which the runner agent polls. Resolves once the broker acknowledged it;
 * rejects with the publisher's errors (see ControlEventLog) or InvalidRunEventError.
 */
@Injectable()
export class RunStarter {
  constructor(private readonly log: ControlEventLog, @Inject(CONTROL_CONFIG) private readonly config: ControlConfig) {}

  async start(request: StartRun): Promise<{ runId: string; jobName: string }> {
    const runId = request.runId ?? newRunId();
    const now = new Date();
    const jobName = runJobName(request.projectId, request.job.name, request.at ?? now);
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
        job_name: jobName,
        cronjob_name: request.job.name,
        namespace: '',
        job_type: 'run',
        triggered_by: request.triggeredBy,
        target_gateway: this.config.localGateway,
        command_argv: argv,
      },
    };
    const problem = validateEvent(event);
    if (problem) throw new InvalidRunEventError(problem);
    await this.log.appendRunEvent(event);
    return { runId, jobName };
  }

  private argvOf(job: JobRow): string[] {
    const parsed = parseCommand(job.command);
    // Stored commands passed the same parser when they were written.
    if (!parsed.ok) throw new InvalidRunEventError(`job ${job.id}: command ${parsed.reason}`);
    return parsed.argv;
  }
}
