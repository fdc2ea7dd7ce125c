import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { ClickHouseStore, findJobCommand, JobCommandRow, jobStateReached } from '@runstream/clickhouse';
import { JobEventEnvelope, JobEventPayloads, JobEventType, newJobRequestId, SCHEMA_VERSION, uuidv7, validateJobEvent } from '@runstream/events';
import { badRequest, Caller, FieldError, serviceUnavailable } from '@runstream/http';
import { pollUntil } from '@runstream/runtime';
import { CONTROL_CONFIG, ControlConfig } from '../config/control.config';
import { ControlEventLog } from '../events/control-event-log';
import { publishRefusal } from '../events/publish-refusal';

/** The decision is usually there within a flush or two; a lagging fold is asked less often. */
const DECISION_POLL = { firstDelayMs: 25, maxDelayMs: 200 };

/** `job_` + 32 hex: a UUIDv7 without dashes, so ids sort by creation. */
export function newJobId(): string {
  return `job_${uuidv7().replace(/-/g, '')}`;
}

/**
 * Job changes are commands on the event log; the jobs fold (the single writer of the project's
 * partition) decides them. A command is answered once its decision is in ClickHouse, so a GET
 * after the answer, on any instance, already sees the write. Applied → returns; a name taken
 * → 409; an unknown or deleted job → 404.
 */
@Injectable()
export class JobCommandsService {
  constructor(
    private readonly log: ControlEventLog,
    private readonly store: ClickHouseStore,
    @Inject(CONTROL_CONFIG) private readonly config: ControlConfig,
  ) {}

  async run<T extends JobEventType>(
    caller: Caller,
    projectId: string,
    jobId: string,
    type: T,
    payload: Omit<JobEventPayloads[T], 'request_id'>,
  ): Promise<void> {
    const now = new Date();
    const requestId = newJobRequestId(now.getTime());
    const event = {
      event_id: uuidv7(now.getTime()),
      type,
      schema_version: SCHEMA_VERSION,
      org_id: caller.orgId,
      project_id: projectId,
      job_id: jobId,
      occurred_at: now.toISOString(),
      actor: caller.tokenId,
      payload: { ...payload, request_id: requestId },
    } as JobEventEnvelope;
    const problem = validateJobEvent(event);
    // The DTOs admit only valid events; this is the net under them, never a 500.
    if (problem) throw badRequest('body', `the write makes an invalid event: ${problem}`);
    try {
      await this.log.appendJobEvent(event);
    } catch (error) {
      throw publishRefusal(error);
    }
    answer(await this.waitForDecision(caller.orgId, projectId, requestId));
  }

  /**
   * The decision, once the project's job rows hold the state it was made on: the fold writes
   * decisions before rows, and the handler reads jobs back after this (read-your-writes on any
   * instance, for an answer that changed nothing too: a repeated update, a 409 naming a job
   * created in the same flush).
   */
  private async waitForDecision(orgId: string, projectId: string, requestId: string): Promise<JobCommandRow> {
    let decision: JobCommandRow | undefined;
    const applied = await pollUntil(
      async () => {
        decision ??= await findJobCommand(this.store, orgId, projectId, requestId);
        // Decisions written before migration 0030, or on a project without jobs, carry no state to wait for.
        if (decision && decision.state_offset === null) return decision;
        if (decision?.state_offset && (await jobStateReached(this.store, orgId, projectId, decision.state_offset))) return decision;
        return undefined;
      },
      { ...DECISION_POLL, timeoutMs: this.config.decisionTimeoutMs },
    );
    if (applied) return applied;
    throw serviceUnavailable('the change is recorded but not applied yet; read the job before retrying (it may still be applied)', 5);
  }
}

function answer(decision: JobCommandRow): void {
  if (decision.outcome === 'conflict') {
    throw new ConflictException({
      statusCode: 409,
      error: 'Conflict',
      message: `name: ${decision.reason}`,
      errors: [{ field: 'name', reasons: [decision.reason] }],
    });
  }
  if (decision.outcome === 'refused') {
    const errors = JSON.parse(decision.reason) as FieldError[];
    throw new ConflictException({
      statusCode: 409,
      error: 'Conflict',
      message: `the job changed while this request was decided: ${errors.flatMap((e) => e.reasons).join('; ')}`,
      errors,
    });
  }
  if (decision.outcome === 'not_found') throw new NotFoundException(decision.reason);
  if (decision.outcome === 'full') throw new ConflictException(decision.reason);
}
