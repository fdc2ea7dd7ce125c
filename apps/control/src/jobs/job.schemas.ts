import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { JOB_WEBHOOK_EVENTS, JobResources, JobWebhookEvent } from '@runstream/events';
import { CreatedJobResponse, JobListResponse, JobResponse, WebhookSecretRotation } from './job.response';
import { TriggerResponse } from './trigger.service';

/**
 * The Jobs API's answers as OpenAPI schemas (clients generate their types from them). Each class
 * `implements` the type the service returns, so the compiler keeps the two the same.
 */
const quantities = { type: 'object', properties: { cpu: { type: 'string' }, memory: { type: 'string' }, 'ephemeral-storage': { type: 'string' } } } as const;
const resources: ApiPropertyOptions = { type: 'object', properties: { requests: quantities, limits: quantities } };
const secretMap: ApiPropertyOptions = { type: 'object', additionalProperties: { type: 'string', example: '********' }, description: 'Values answered masked' };

export class JobSchema implements JobResponse {
  @ApiProperty({ example: 'job_01hx…' }) id!: string;
  @ApiProperty() project_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'dbt or sqlmesh command, run without a shell' }) command!: string;
  @ApiProperty({ description: 'Cron expression (5 fields) or macro' }) schedule!: string;
  @ApiProperty({ description: 'IANA time zone the schedule is read in' }) timezone!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty(resources) resources!: JobResources;
  @ApiProperty(secretMap) environment!: Record<string, string>;
  @ApiProperty() slack_channel!: string;
  @ApiProperty() slack_alerts_enabled!: boolean;
  @ApiProperty() slack_alert_on_success!: boolean;
  @ApiProperty() webhook_url!: string;
  @ApiProperty(secretMap) webhook_headers!: Record<string, string>;
  @ApiProperty({ enum: JOB_WEBHOOK_EVENTS, isArray: true }) webhook_events!: JobWebhookEvent[];
  @ApiProperty() webhook_enabled!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class CreatedJobSchema extends JobSchema implements CreatedJobResponse {
  @ApiProperty({ description: 'The webhook signing secret (whsec_…): shown in this answer only' }) webhook_secret!: string;
}

export class JobListSchema implements JobListResponse {
  @ApiProperty({ type: [JobSchema] }) jobs!: JobSchema[];
  @ApiProperty() total!: number;
}

export class WebhookSecretRotationSchema implements WebhookSecretRotation {
  @ApiProperty({ description: 'The new signing secret (whsec_…)' }) webhook_secret!: string;
  @ApiProperty({ format: 'date-time', description: 'When the replaced secret stops signing' }) previous_secret_expires_at!: string;
}

export class TriggerSchema implements TriggerResponse {
  @ApiProperty({ description: 'The run created (its id)' }) job_run_id!: string;
  @ApiProperty() job_name!: string;
  @ApiProperty({ enum: ['pending'] }) status!: 'pending';
  @ApiProperty() message!: string;
}
