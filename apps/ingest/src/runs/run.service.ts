import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { RunEventEnvelope, RunEventType, RunEventPayloads, SCHEMA_VERSION, toCanonicalStatus, uuidv7 } from '@runstream/events';
import { Caller } from '@runstream/http';
import { RunEventLog } from '../events/run-event-log';
import { CreateRunDto } from './dto/create-run.dto';
import { PatchRunDto } from './dto/patch-run.dto';
import { RunDirectory } from './run-directory';

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
    this.directory.remember(event.run_id, { org_id: caller.orgId, project_id: dto.projectId, status: 'pending' });
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

  async patch(runId: string, dto: PatchRunDto, caller: Caller): Promise<AcceptedPatch> {
    if (Object.values(dto).every((value) => value === undefined)) {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'body: at least one field is required', errors: [{ field: 'body', reasons: ['at least one field is required'] }] });
    }
    const run = await this.directory.find(caller.orgId, runId);
    if (!run) throw new NotFoundException(`run ${runId} not found`);
    const status = dto.status === undefined ? undefined : toCanonicalStatus(dto.status);
    const event = this.envelope(caller, run.project_id, runId, 'run.patched', {
      status,
      started_at: dto.startedAt && new Date(dto.startedAt).toISOString(),
      finished_at: dto.finishedAt && new Date(dto.finishedAt).toISOString(),
    });
    await this.log.append([event]);
    if (status) this.directory.remember(runId, { ...run, status });
    return { id: runId, eventId: event.event_id, status };
  }

  private envelope<T extends RunEventType>(caller: Caller, projectId: string, runId: string, type: T, payload: RunEventPayloads[T]): RunEventEnvelope<T> {
    const now = Date.now();
    return {
      event_id: uuidv7(now),
      type,
      schema_version: SCHEMA_VERSION,
      org_id: caller.orgId,
      project_id: projectId,
      run_id: runId,
      occurred_at: new Date(now).toISOString(),
      actor: caller.tokenId,
      payload: JSON.parse(JSON.stringify(payload)) as RunEventPayloads[T], // drop undefined fields
    };
  }
}
