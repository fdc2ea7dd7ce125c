import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  JOB_NAME_PATTERN,
  JobResources,
  JobWebhookEvent,
  MAX_JOB_COMMAND_LENGTH,
  MAX_JOB_DESCRIPTION_LENGTH,
  MAX_JOB_NAME_LENGTH,
  MAX_JOB_SCHEDULE_LENGTH,
  MAX_JOB_SLACK_CHANNEL_LENGTH,
  MAX_JOB_TIMEZONE_LENGTH,
  MAX_JOB_URL_LENGTH,
} from '@runstream/events';
import { IsBoolean, IsString, IsUrl, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { HoldsNoNul, IsCronSchedule, IsJobCommand, IsTimeZoneName, MatchesJobSpec, Optional, SendableHeaderValues } from './job-validators';

const NAME_RULE = `name must be 1-${MAX_JOB_NAME_LENGTH} characters of a-z, 0-9 and -, starting and ending with a letter or digit (it becomes part of Kubernetes names)`;

/** Fields every job body may carry, all optional (defaults in JOB_SPEC_DEFAULTS). */
export class JobOptionalFields {
  @ApiPropertyOptional({ description: 'Human-readable description' })
  @Optional()
  @IsString()
  @MaxLength(MAX_JOB_DESCRIPTION_LENGTH)
  description?: string;

  @ApiPropertyOptional({ description: 'IANA time zone the schedule is read in (default UTC)' })
  @Optional()
  @IsString()
  @MaxLength(MAX_JOB_TIMEZONE_LENGTH)
  @IsTimeZoneName()
  timezone?: string;

  @ApiPropertyOptional({ description: 'Whether the schedule fires (default true)' })
  @Optional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ description: 'Kubernetes resources: { requests: { cpu, memory, ephemeral-storage }, limits: {...} }' })
  @Optional()
  @MatchesJobSpec('resources')
  resources?: JobResources;

  @ApiPropertyOptional({ description: 'Environment variables (secret: answered masked)' })
  @Optional()
  @MatchesJobSpec('environment')
  @HoldsNoNul()
  environment?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Slack channel for alerts, e.g. #data-alerts' })
  @Optional()
  @IsString()
  @MaxLength(MAX_JOB_SLACK_CHANNEL_LENGTH)
  @Matches(/^\S*$/, { message: 'slack_channel must not contain whitespace' })
  slack_channel?: string;

  @ApiPropertyOptional({ description: 'Slack failure alerts (default false)' })
  @Optional()
  @IsBoolean()
  slack_alerts_enabled?: boolean;

  @ApiPropertyOptional({ description: 'Also alert on success (default false)' })
  @Optional()
  @IsBoolean()
  slack_alert_on_success?: boolean;

  @ApiPropertyOptional({ description: 'URL to POST job status events to (dbt jobs only)' })
  @Optional()
  @IsString()
  @MaxLength(MAX_JOB_URL_LENGTH)
  @ValidateIf((_object: object, value: unknown) => value !== '')
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'webhook_url must be an http(s) URL' })
  webhook_url?: string;

  @ApiPropertyOptional({ description: 'HTTP headers for webhook requests (dbt jobs only; secret: answered masked)' })
  @Optional()
  @MatchesJobSpec('webhook_headers')
  @SendableHeaderValues()
  webhook_headers?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Outcomes to deliver: started, success, failure, cancelled (dbt jobs only)' })
  @Optional()
  @MatchesJobSpec('webhook_events')
  webhook_events?: JobWebhookEvent[];

  @ApiPropertyOptional({ description: 'Enable webhook delivery (dbt jobs only; default false)' })
  @Optional()
  @IsBoolean()
  webhook_enabled?: boolean;
}

export class CreateJobDto extends JobOptionalFields {
  @ApiProperty({ description: 'Job name, unique per project' })
  @IsString()
  @Length(1, MAX_JOB_NAME_LENGTH, { message: NAME_RULE })
  @Matches(JOB_NAME_PATTERN, { message: NAME_RULE })
  name!: string;

  @ApiProperty({ description: 'dbt or sqlmesh command, run without a shell' })
  @IsString()
  @MaxLength(MAX_JOB_COMMAND_LENGTH)
  @IsJobCommand()
  command!: string;

  @ApiProperty({ description: 'Cron expression (5 fields) or macro (@daily, ...)' })
  @IsString()
  @MaxLength(MAX_JOB_SCHEDULE_LENGTH)
  @IsCronSchedule()
  schedule!: string;
}

/** PUT: every field optional; only supplied fields change. */
export class UpdateJobDto extends JobOptionalFields {
  @ApiPropertyOptional({ description: 'Job name, unique per project' })
  @Optional()
  @IsString()
  @Length(1, MAX_JOB_NAME_LENGTH, { message: NAME_RULE })
  @Matches(JOB_NAME_PATTERN, { message: NAME_RULE })
  name?: string;

  @ApiPropertyOptional({ description: 'dbt or sqlmesh command, run without a shell' })
  @Optional()
  @IsString()
  @MaxLength(MAX_JOB_COMMAND_LENGTH)
  @IsJobCommand()
  command?: string;

  @ApiPropertyOptional({ description: 'Cron expression (5 fields) or macro (@daily, ...)' })
  @Optional()
  @IsString()
  @MaxLength(MAX_JOB_SCHEDULE_LENGTH)
  @IsCronSchedule()
  schedule?: string;
}

/**
 * PUT's body may also carry the Job object's read-only fields, so a client can send back what it
 * read (the create answer included): `id` and `project_id` must name the job in the path,
 * `webhook_secret` must be the job's current secret, the times are ignored.
 */
export class PutJobDto extends UpdateJobDto {
  @ApiPropertyOptional({ description: 'Read-only: the job in the path', readOnly: true })
  @Optional()
  @IsString()
  id?: string;

  @ApiPropertyOptional({ description: 'Read-only: the project in the path', readOnly: true })
  @Optional()
  @IsString()
  project_id?: string;

  @ApiPropertyOptional({ description: 'Read-only: ignored', readOnly: true })
  @Optional()
  @IsString()
  created_at?: string;

  @ApiPropertyOptional({ description: 'Read-only: ignored', readOnly: true })
  @Optional()
  @IsString()
  updated_at?: string;

  @ApiPropertyOptional({ description: "Read-only: the job's current signing secret (as the create answer gave it); rotate to change it", readOnly: true })
  @Optional()
  @IsString()
  webhook_secret?: string;
}

export class TriggerJobDto {
  @ApiPropertyOptional({ description: 'Override the command for this run only (dbt jobs only; a dbt command)' })
  @Optional()
  @IsString()
  @MaxLength(MAX_JOB_COMMAND_LENGTH)
  @IsJobCommand(true)
  command_override?: string;
}
