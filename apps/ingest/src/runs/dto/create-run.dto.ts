import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOB_TYPES, JobType, TRIGGERS, TriggeredBy } from '@runstream/events';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { IsWellFormedText } from './field-validators';
import { IsResourceId, RESOURCE_ID_PATTERN } from '@runstream/http';

/** The write API's ids (RESOURCE_ID_PATTERN), for its quick validators too. */
export const ID_PATTERN = RESOURCE_ID_PATTERN;

/** POST /api/elt/runs. The write API speaks camelCase (docs/write-api.md). */
export class CreateRunDto {
  @ApiProperty({ maxLength: 128 })
  @IsString()
  @IsResourceId()
  projectId!: string;

  @ApiProperty({ maxLength: 253 })
  @IsString()
  @Length(1, 253)
  @IsWellFormedText()
  jobName!: string;

  @ApiPropertyOptional({ maxLength: 253 })
  @IsOptional()
  @IsString()
  @Length(0, 253)
  @IsWellFormedText()
  cronjobName?: string;

  @ApiPropertyOptional({ enum: JOB_TYPES, default: 'run' })
  @IsOptional()
  @IsIn(JOB_TYPES)
  jobType?: JobType;

  @ApiPropertyOptional({ enum: TRIGGERS, default: 'manual' })
  @IsOptional()
  @IsIn(TRIGGERS)
  triggeredBy?: TriggeredBy;

  @ApiPropertyOptional({ maxLength: 128 })
  @IsOptional()
  @IsString()
  @Length(0, 128)
  @IsWellFormedText()
  jobId?: string;

  @ApiPropertyOptional({ maxLength: 253 })
  @IsOptional()
  @IsString()
  @Length(0, 253)
  @IsWellFormedText()
  namespace?: string;

  /** Name of the gateway that should pick this run up (GET /api/agent/runs). */
  @ApiPropertyOptional({ maxLength: 128, description: 'Gateway whose agents should pick the run up' })
  @IsOptional()
  @IsString()
  @Length(0, 128)
  @IsWellFormedText()
  targetGateway?: string;
}
