import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { RunRow, EltRunFields, toEltRunFields } from '@runstream/clickhouse';
import { isTerminal, RunPatchedPayload, RunStatus, toCanonicalStatus, uuidv7 } from '@runstream/events';
import { Caller, invalidFields } from '@runstream/http';
import { createHash } from 'node:crypto';
import { EventWriter } from '../events/event-writer';
import { CreateRunDto } from './dto/create-run.dto';
import { PatchRunDto } from './dto/patch-run.dto';
import { ReportModelExecutionsDto } from './dto/report-model-executions.dto';
import { executionProblems, isEmptyPatch, isGiven, patchPayload, patchTexts, runEvent, toModelExecution } from './event-payloads';
import { KnownRun, RunDirectory } from './run-directory';
import { RunLocks } from './run-locks';
import { TextScrubber } from './text-scrubber';

/** The answer to a create: the run as stored, pending. */
export interface CreatedRun extends EltRunFields {
  targetGateway: string;
  /** `pending`, but for a gateway's run announced before under the same key: its status now. */
  status: RunStatus;
}

export interface AcceptedExecutions {
  runId: string;
  eventId: string;
  executions: { id: string; model_name: string }[];
}

export interface AcceptedPatch {
  id: string;
  eventId: string;
  status?: string;
}

function newRunId(): string {
  return `run_${uuidv7().replace(/-/g, '')}`;
}

/**
 * The id of a run a gateway creates under an Idempotency-Key: derived from the organisation,
 * the gateway and the key, so a retry that reaches another ingest instance (whose idempotency
 * cache never saw the first) announces the same run, which the fold takes as the same
 * scheduled run rather than a second one. Kubernetes pods use `k8s/<namespace>/<job name>`.
 */
export function gatewayRunIdFor(orgId: string, gateway: string, idempotencyKey: string): string {
  return `run_${createHash('sha256').update(`${orgId}\u0000${gateway}\u0000${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}

export interface CreateOptions {
  /** Default: a new uuidv7-based id. */
  runId?: string;
  /** Default: the body's targetGateway. */
  targetGateway?: string;
}

@Injectable()
export class RunService {
  constructor(
    private readonly writer: EventWriter,
    private readonly directory: RunDirectory,
    private readonly runLocks: RunLocks,
    private readonly scrubber: TextScrubber,
  ) {}

  create(dto: CreateRunDto, caller: Caller, options: CreateOptions = {}): Promise<CreatedRun> {
    const event = runEvent(caller, dto.projectId, options.runId ?? newRunId(), 'run.created', {
      job_id: dto.jobId ?? '',
      job_name: dto.jobName,
      cronjob_name: dto.cronjobName ?? '',
      namespace: dto.namespace ?? '',
      job_type: dto.jobType ?? 'run',
      triggered_by: dto.triggeredBy ?? 'manual',
      target_gateway: options.targetGateway ?? dto.targetGateway ?? '',
    });
    const p = event.payload;
    return this.writer.write([event], dto, () => {
      this.directory.remember(event.run_id, {
        org_id: caller.orgId,
        project_id: dto.projectId,
        status: 'pending',
        target_gateway: p.target_gateway,
        claimed_by: '',
      });
      return {
        id: event.run_id,
        projectId: event.project_id,
        jobId: p.job_id,
        jobName: p.job_name,
        cronjobName: p.cronjob_name,
        namespace: p.namespace,
        jobType: p.job_type,
        triggeredBy: p.triggered_by,
        targetGateway: p.target_gateway,
        status: 'pending',
        createdAt: event.occurred_at,
      };
    });
  }

  /**
   * A gateway's own run (POST /api/agent/runs): targeted at the caller's gateway, which is the
   * only gateway it may name, so its agents and runners may claim and report it.
   */
  async createForGateway(dto: CreateRunDto, caller: Caller, idempotencyKey: string | undefined): Promise<CreatedRun> {
    const gateway = caller.gateway;
    if (dto.targetGateway !== undefined && dto.targetGateway !== gateway) {
      throw invalidFields([{ field: 'targetGateway', reasons: [`a gateway token creates runs for its own gateway (${gateway}) only`] }]);
    }
    if (idempotencyKey === undefined) return this.create(dto, caller, { targetGateway: gateway });
    const runId = gatewayRunIdFor(caller.orgId, gateway, idempotencyKey);
    // A retry that reached another instance (whose idempotency cache never saw the key) answers the run as it is.
    const existing = await this.directory.existing(caller.orgId, runId);
    return existing ? announcedRun(existing) : this.create(dto, caller, { runId, targetGateway: gateway });
  }

  /** `mayWrite` narrows which runs this caller may touch (agents: their gateway's runs). */
  async patch(runId: string, dto: PatchRunDto, caller: Caller, mayWrite: (run: KnownRun) => boolean = () => true): Promise<AcceptedPatch> {
    if (isEmptyPatch(dto)) throw invalidFields([{ field: 'body', reasons: ['at least one field is required'] }]);
    const changesStatus = isGiven(dto.status);
    const write = async (): Promise<AcceptedPatch> => {
      const run = changesStatus ? await this.directory.forStatusChange(caller.orgId, runId) : await this.directory.find(caller.orgId, runId);
      if (!run || !mayWrite(run)) throw new NotFoundException(`run ${runId} not found`);
      // After the lookup, so a write to no run costs no scrubbing; a large one waits for the scrub worker.
      const scrubText = await this.scrubber.prepare(patchTexts(dto));
      const now = new Date();
      const payload = patchPayload(dto, now, scrubText);
      refuseLeavingTerminal(run, payload);
      const event = runEvent(caller, run.project_id, runId, 'run.patched', payload, now);
      return this.writer.write([event], dto, () => {
        if (payload.status) this.directory.remember(runId, { ...run, status: payload.status });
        return { id: runId, eventId: event.event_id, status: payload.status };
      });
    };
    // Only a status change is checked against the run's state; logs and telemetry need no lock.
    return changesStatus ? this.runLocks.run(runId, write) : write();
  }

  async reportExecutions(runId: string, dto: ReportModelExecutionsDto, caller: Caller): Promise<AcceptedExecutions> {
    const problems = dto.executions.flatMap(executionProblems);
    if (problems.length > 0) throw invalidFields(problems);
    const run = await this.directory.find(caller.orgId, runId);
    if (!run) throw new NotFoundException(`run ${runId} not found`);
    const executions = dto.executions.map(toModelExecution);
    const event = runEvent(caller, run.project_id, runId, 'model_executions.reported', { executions });
    return this.writer.write([event], dto, () => ({
      runId,
      eventId: event.event_id,
      executions: executions.map(({ id, model_name }) => ({ id, model_name })),
    }));
  }
}

function announcedRun(row: RunRow): CreatedRun {
  return {
    ...toEltRunFields(row),
    targetGateway: row.target_gateway,
    status: toCanonicalStatus(row.status) ?? 'pending',
  };
}

/** A terminal run keeps its status; logs and telemetry may still be added (post-run backfill). */
function refuseLeavingTerminal(run: KnownRun, payload: RunPatchedPayload): void {
  if (payload.status !== undefined && isTerminal(run.status) && payload.status !== run.status) {
    throw new ConflictException({
      statusCode: 409,
      error: 'Conflict',
      message: `run is ${run.status}; a terminal run cannot become ${payload.status}`,
      status: run.status,
    });
  }
}
