import { BadRequestException, ConflictException, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { isTerminal, LogEntry, ModelExecution, RunEventEnvelope, RunEventPayloads, RunEventType, RunPatchedPayload, SCHEMA_VERSION, TelemetrySample, toCanonicalStatus, uuidv7 } from '@runstream/events';
import { Caller } from '@runstream/http';
import { RunEventLog } from '../events/run-event-log';
import { CreateRunDto } from './dto/create-run.dto';
import { PatchRunDto } from './dto/patch-run.dto';
import { ModelExecutionDto, ReportModelExecutionsDto } from './dto/report-model-executions.dto';
import { KeyedLock } from './keyed-lock';
import { KnownRun, RunDirectory } from './run-directory';
import { scrub } from './scrub';

export interface CreatedRun {
  id: string;
  projectId: string;
  jobId: string;
  jobName: string;
  cronjobName: string;
  namespace: string;
  jobType: string;
  triggeredBy: string;
  targetGateway: string;
  status: 'pending';
  createdAt: string;
}

/** How long a claim waits for the materializer to decide it before answering 503. */
const CLAIM_DECISION_TIMEOUT_MS = 10_000;

export interface ClaimedRun {
  id: string;
  status: string;
  claimedBy: string;
  claimId: string;
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

@Injectable()
export class RunService {
  /** Checks against a run's known state and the append that follows happen under its lock. */
  private readonly runLocks = new KeyedLock();

  constructor(private readonly log: RunEventLog, private readonly directory: RunDirectory) {}

  async create(dto: CreateRunDto, caller: Caller): Promise<CreatedRun> {
    const event = this.envelope(caller, dto.projectId, newRunId(), 'run.created', {
      job_id: dto.jobId ?? '',
      job_name: dto.jobName,
      cronjob_name: dto.cronjobName ?? '',
      namespace: dto.namespace ?? '',
      job_type: dto.jobType ?? 'run',
      triggered_by: dto.triggeredBy ?? 'manual',
      target_gateway: dto.targetGateway ?? '',
    });
    await this.log.append([event]);
    this.directory.remember(event.run_id, { org_id: caller.orgId, project_id: dto.projectId, status: 'pending', target_gateway: event.payload.target_gateway, claimed_by: '' });
    const p = event.payload;
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
  }

  /** `mayWrite` narrows which runs this caller may touch (agents: their gateway's runs). */
  async patch(runId: string, dto: PatchRunDto, caller: Caller, mayWrite: (run: KnownRun) => boolean = () => true): Promise<AcceptedPatch> {
    if (Object.values(dto).every((value) => value === undefined)) {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'body: at least one field is required', errors: [{ field: 'body', reasons: ['at least one field is required'] }] });
    }
    const write = async (): Promise<AcceptedPatch> => {
      const run = await this.directory.find(caller.orgId, runId);
      if (!run || !mayWrite(run)) throw new NotFoundException(`run ${runId} not found`);
      const now = new Date();
      const payload = patchPayload(dto, now);
      refuseLeavingTerminal(run, payload);
      const event = this.envelope(caller, run.project_id, runId, 'run.patched', payload, now);
      await this.log.append([event]);
      if (payload.status) this.directory.remember(runId, { ...run, status: payload.status });
      return { id: runId, eventId: event.event_id, status: payload.status };
    };
    // Only a status change is checked against the run's state; logs and telemetry need no lock.
    return dto.status === undefined ? write() : this.runLocks.run(runId, write);
  }

  async reportExecutions(runId: string, dto: ReportModelExecutionsDto, caller: Caller): Promise<AcceptedExecutions> {
    const problems = dto.executions.flatMap(executionProblems);
    if (problems.length > 0) {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: problems.map((p) => `${p.field}: ${p.reasons.join(', ')}`).join('; '), errors: problems });
    }
    const run = await this.directory.find(caller.orgId, runId);
    if (!run) throw new NotFoundException(`run ${runId} not found`);
    const executions = dto.executions.map(toModelExecution);
    const event = this.envelope(caller, run.project_id, runId, 'model_executions.reported', { executions });
    await this.log.append([event]);
    return { runId, eventId: event.event_id, executions: executions.map(({ id, model_name }) => ({ id, model_name })) };
  }

  async claim(runId: string, caller: Caller): Promise<ClaimedRun> {
    return this.runLocks.run(runId, async () => {
      const run = await this.directory.find(caller.orgId, runId);
      if (!run || run.target_gateway !== caller.gateway) throw new NotFoundException(`run ${runId} not found`);
      refuseClaim(run);
      const claimId = uuidv7();
      const event = this.envelope(caller, run.project_id, runId, 'run.claimed', { gateway: caller.gateway, claim_id: claimId });
      await this.log.append([event]);
      // The partition's single writer (the materializer's fold) decides which claim came first.
      const decided = await this.waitForClaimDecision(caller.orgId, runId);
      this.directory.remember(runId, { ...run, status: decided.status, claimed_by: decided.claimed_by });
      if (decided.claim_id !== claimId) refuseClaim(decided);
      return { id: runId, status: decided.status, claimedBy: decided.claimed_by, claimId };
    });
  }

  private async waitForClaimDecision(orgId: string, runId: string): Promise<KnownRun & { claim_id: string }> {
    const deadline = Date.now() + CLAIM_DECISION_TIMEOUT_MS;
    for (;;) {
      const row = await this.directory.fresh(orgId, runId);
      if (row && (row.claim_id !== '' || row.status !== 'pending')) return row;
      if (Date.now() > deadline) {
        throw new ServiceUnavailableException('the claim is recorded but not decided yet; check the run before claiming again');
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private envelope<T extends RunEventType>(caller: Caller, projectId: string, runId: string, type: T, payload: RunEventPayloads[T], now = new Date()): RunEventEnvelope<T> {
    return {
      event_id: uuidv7(now.getTime()),
      type,
      schema_version: SCHEMA_VERSION,
      org_id: caller.orgId,
      project_id: projectId,
      run_id: runId,
      occurred_at: now.toISOString(),
      actor: caller.tokenId,
      payload,
    };
  }
}

function toIso(value: string): string {
  return new Date(value).toISOString();
}

function toSample(sample: Record<string, number | string>, now: Date): TelemetrySample {
  const { at, ...values } = sample;
  return { at: typeof at === 'string' ? toIso(at) : now.toISOString(), values: values as Record<string, number> };
}

function toLogEntry(entry: { at: string; level: LogEntry['level']; message: string }): LogEntry {
  return { at: toIso(entry.at), level: entry.level, message: scrub(entry.message) };
}

/** The event payload of one PATCH: canonical status, UTC times, scrubbed text. */
export function patchPayload(dto: PatchRunDto, now: Date): RunPatchedPayload {
  const payload: RunPatchedPayload = {};
  if (dto.status !== undefined) payload.status = toCanonicalStatus(dto.status);
  if (dto.startedAt !== undefined) payload.started_at = toIso(dto.startedAt);
  if (dto.finishedAt !== undefined) payload.finished_at = toIso(dto.finishedAt);
  if (dto.errorSummary !== undefined) payload.error_summary = scrub(dto.errorSummary);
  if (dto.appendLog !== undefined) payload.append_log = toLogEntry({ ...dto.appendLog, at: now.toISOString() });
  if (dto.logEntries !== undefined) payload.log_entries = dto.logEntries.map(toLogEntry);
  if (dto.telemetrySummary !== undefined) payload.telemetry_summary = dto.telemetrySummary;
  if (dto.appendTelemetrySample !== undefined) payload.append_telemetry_sample = toSample(dto.appendTelemetrySample, now);
  if (dto.telemetrySamples !== undefined) payload.telemetry_samples = dto.telemetrySamples.map((sample) => toSample(sample, now));
  return payload;
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

function toModelExecution(dto: ModelExecutionDto): ModelExecution {
  return {
    id: dto.id ?? `exec_${uuidv7().replace(/-/g, '')}`,
    model_name: dto.model_name,
    status: dto.status === 'succeeded' ? 'success' : dto.status,
    started_at: toIso(dto.started_at),
    completed_at: dto.completed_at === undefined ? null : toIso(dto.completed_at),
    rows_processed: dto.rows_processed ?? null,
    bytes_processed: dto.bytes_processed ?? null,
    interval_start: dto.interval_start === undefined ? null : toIso(dto.interval_start),
    interval_end: dto.interval_end === undefined ? null : toIso(dto.interval_end),
  };
}

/** Rules across fields, which class-validator checks one at a time. */
function executionProblems(dto: ModelExecutionDto, index: number): { field: string; reasons: string[] }[] {
  const problems: { field: string; reasons: string[] }[] = [];
  if (dto.completed_at !== undefined && Date.parse(dto.completed_at) < Date.parse(dto.started_at)) {
    problems.push({ field: `executions.${index}.completed_at`, reasons: ['completed_at must not be before started_at'] });
  }
  if (dto.interval_start !== undefined && dto.interval_end !== undefined && Date.parse(dto.interval_end) < Date.parse(dto.interval_start)) {
    problems.push({ field: `executions.${index}.interval_end`, reasons: ['interval_end must not be before interval_start'] });
  }
  return problems;
}

function refuseClaim(run: KnownRun): void {
  if (run.claimed_by !== '') {
    throw new ConflictException({ statusCode: 409, error: 'Conflict', message: `run is already claimed by ${run.claimed_by}`, status: run.status, claimedBy: run.claimed_by });
  }
  if (run.status !== 'pending') {
    throw new ConflictException({ statusCode: 409, error: 'Conflict', message: `run is ${run.status}; only pending runs can be claimed`, status: run.status });
  }
}
