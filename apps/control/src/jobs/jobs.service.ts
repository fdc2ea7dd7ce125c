import { timingSafeEqual } from 'node:crypto';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { ClickHouseStore, countOrgJobs, findJob, JobRow, listProjectJobs } from '@runstream/clickhouse';
import { CONTROL_CONFIG, ControlConfig } from '../config/control.config';
import { JOB_SPEC_DEFAULTS, JobSpec, WEBHOOK_SECRET_GRACE_MS } from '@runstream/events';
import { Caller, invalidFields } from '@runstream/http';
import { newWebhookSecret } from '@runstream/webhooks';
import { RUN_EXECUTOR, RunExecutor } from '../runs/run-executor';
import { CreateJobDto, PutJobDto, UpdateJobDto } from './dto/job-body.dto';
import { JobCommandsService, newJobId } from './job-commands.service';
import { CreatedJobResponse, JobListResponse, JobResponse, specOf, toJobResponse, WebhookSecretRotation } from './job.response';
import { jobRuleProblems } from './validation/job-rules';
import { resourceProblems } from './validation/resource-rules';

/** Only what the client supplied (class-transformer leaves absent fields undefined). */
function supplied(dto: UpdateJobDto): Partial<JobSpec> {
  return Object.fromEntries(Object.entries(dto).filter(([, value]) => value !== undefined)) as Partial<JobSpec>;
}

/** Compares a sent secret with the stored one in constant time, so the answer's timing tells nothing of it. */
function sameSecret(sent: string, stored: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(stored);
  return stored !== '' && a.length === b.length && timingSafeEqual(a, b);
}

/** The Jobs API's definitions: reads from the jobs table, writes as commands (JobCommandsService). */
@Injectable()
export class JobsService {
  constructor(
    private readonly store: ClickHouseStore,
    private readonly commands: JobCommandsService,
    @Inject(RUN_EXECUTOR) private readonly executor: RunExecutor,
    @Inject(CONTROL_CONFIG) private readonly config: ControlConfig,
  ) {}

  async list(caller: Caller, projectId: string): Promise<JobListResponse> {
    const jobs = (await listProjectJobs(this.store, caller.orgId, projectId)).map(toJobResponse);
    return { jobs, total: jobs.length };
  }

  /** A live job of the caller's organisation, or 404. */
  async find(caller: Caller, projectId: string, jobId: string): Promise<JobRow> {
    const row = await findJob(this.store, caller.orgId, projectId, jobId);
    if (!row) throw new NotFoundException(`job ${jobId} not found`);
    return row;
  }

  /** The answer holds the job's webhook signing secret: shown this once, never read back. */
  async create(caller: Caller, projectId: string, dto: CreateJobDto): Promise<CreatedJobResponse> {
    const spec: JobSpec = { ...JOB_SPEC_DEFAULTS, ...supplied(dto), name: dto.name, command: dto.command, schedule: dto.schedule };
    this.checkRules(spec);
    if ((await countOrgJobs(this.store, caller.orgId)) >= this.config.maxJobsPerOrg) {
      throw new ConflictException(`the organisation holds ${this.config.maxJobsPerOrg} jobs, the most it may (CONTROL_MAX_JOBS_PER_ORG): delete one first`);
    }
    const jobId = newJobId();
    const secret = newWebhookSecret();
    await this.commands.run(caller, projectId, jobId, 'job.created', { spec, webhook_secret: secret });
    await this.executor.definitionsChanged();
    return { ...toJobResponse(await this.find(caller, projectId, jobId)), webhook_secret: secret };
  }

  async update(caller: Caller, projectId: string, jobId: string, dto: PutJobDto): Promise<JobResponse> {
    const { id, project_id, webhook_secret, created_at: _created, updated_at: _updated, ...spec } = dto;
    const mismatched = [
      ...(id !== undefined && id !== jobId ? [{ field: 'id', reasons: [`is read-only: must be ${jobId}, the job in the path, or left out`] }] : []),
      ...(project_id !== undefined && project_id !== projectId
        ? [{ field: 'project_id', reasons: [`is read-only: must be ${projectId}, the project in the path, or left out`] }]
        : []),
    ];
    if (mismatched.length > 0) throw invalidFields(mismatched);
    const current = await this.find(caller, projectId, jobId);
    if (webhook_secret !== undefined && !sameSecret(webhook_secret, current.webhook_secret)) {
      throw invalidFields([
        { field: 'webhook_secret', reasons: ["is read-only: must be the job's current secret, or left out (POST …/webhook-secret/rotate changes it)"] },
      ]);
    }
    const changes = supplied(spec);
    this.checkRules({ ...specOf(current), ...changes });
    await this.commands.run(caller, projectId, jobId, 'job.updated', { changes });
    await this.executor.definitionsChanged();
    return toJobResponse(await this.find(caller, projectId, jobId));
  }

  async remove(caller: Caller, projectId: string, jobId: string): Promise<void> {
    await this.find(caller, projectId, jobId);
    await this.commands.run(caller, projectId, jobId, 'job.deleted', {});
    await this.executor.definitionsChanged();
  }

  /** A new signing secret, shown this once; the replaced one keeps signing for WEBHOOK_SECRET_GRACE_MS. */
  async rotateWebhookSecret(caller: Caller, projectId: string, jobId: string): Promise<WebhookSecretRotation> {
    await this.find(caller, projectId, jobId);
    const secret = newWebhookSecret();
    const previousExpiresAt = new Date(Date.now() + WEBHOOK_SECRET_GRACE_MS).toISOString();
    await this.commands.run(caller, projectId, jobId, 'job.webhook_secret_rotated', { webhook_secret: secret, previous_expires_at: previousExpiresAt });
    return { webhook_secret: secret, previous_secret_expires_at: previousExpiresAt };
  }

  private checkRules(spec: JobSpec): void {
    const problems = [...jobRuleProblems(spec), ...resourceProblems(spec.resources)];
    if (problems.length > 0) throw invalidFields(problems);
  }
}
