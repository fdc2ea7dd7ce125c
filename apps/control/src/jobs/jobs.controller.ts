import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, CurrentCaller } from '@runstream/http';
import { CreateJobDto, PutJobDto, TriggerJobDto } from './dto/job-body.dto';
import { JobParams, ProjectParams } from './dto/job.params';
import { CreatedJobResponse, JobListResponse, JobResponse, WebhookSecretRotation } from './job.response';
import { CreatedJobSchema, JobListSchema, JobSchema, TriggerSchema, WebhookSecretRotationSchema } from './job.schemas';
import { JobsService } from './jobs.service';
import { TriggerResponse, TriggerService } from './trigger.service';

/** Job definitions of a project and their manual trigger (docs/jobs.md). */
@ApiTags('jobs')
@Controller('api/v1/projects/:id/jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly triggers: TriggerService,
  ) {}

  @Get()
  @ApiOkResponse({ type: JobListSchema })
  list(@Param() { id }: ProjectParams, @CurrentCaller() caller: Caller): Promise<JobListResponse> {
    return this.jobs.list(caller, id);
  }

  /** 201: the job, with its webhook signing secret (shown in this answer only). */
  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: CreatedJobSchema })
  create(@Param() { id }: ProjectParams, @Body() body: CreateJobDto, @CurrentCaller() caller: Caller): Promise<CreatedJobResponse> {
    return this.jobs.create(caller, id, body);
  }

  @Put(':job_id')
  @ApiOkResponse({ type: JobSchema })
  update(@Param() { id, job_id }: JobParams, @Body() body: PutJobDto, @CurrentCaller() caller: Caller): Promise<JobResponse> {
    return this.jobs.update(caller, id, job_id, body);
  }

  @Delete(':job_id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  remove(@Param() { id, job_id }: JobParams, @CurrentCaller() caller: Caller): Promise<void> {
    return this.jobs.remove(caller, id, job_id);
  }

  /** 200: a new webhook signing secret; the old one keeps signing for 24 h. No body. */
  @Post(':job_id/webhook-secret/rotate')
  @HttpCode(200)
  @ApiOkResponse({ type: WebhookSecretRotationSchema })
  rotateWebhookSecret(@Param() { id, job_id }: JobParams, @CurrentCaller() caller: Caller): Promise<WebhookSecretRotation> {
    return this.jobs.rotateWebhookSecret(caller, id, job_id);
  }

  /** 201: a run was created. The body is optional. */
  @Post(':job_id/trigger')
  @HttpCode(201)
  @ApiCreatedResponse({ type: TriggerSchema })
  trigger(@Param() { id, job_id }: JobParams, @Body() body: TriggerJobDto, @CurrentCaller() caller: Caller): Promise<TriggerResponse> {
    return this.triggers.trigger(caller, id, job_id, body ?? {});
  }
}
