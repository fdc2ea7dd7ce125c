import { JOB_TYPES, JobType, TRIGGERS, TriggeredBy } from '@runstream/events';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** POST /api/elt/runs. The write API speaks camelCase (reference/runs-logs-telemetry.txt). */
export class CreateRunDto {
  @IsString()
  @Length(1, 128)
  @Matches(ID_PATTERN, { message: 'projectId may contain letters, digits, _ . : - only' })
  projectId!: string;

  @IsString()
  @Length(1, 253)
  jobName!: string;

  @IsOptional()
  @IsString()
  @Length(0, 253)
  cronjobName?: string;

  @IsOptional()
  @IsIn(JOB_TYPES)
  jobType?: JobType;

  @IsOptional()
  @IsIn(TRIGGERS)
  triggeredBy?: TriggeredBy;

  @IsOptional()
  @IsString()
  @Length(0, 128)
  jobId?: string;

  @IsOptional()
  @IsString()
  @Length(0, 253)
  namespace?: string;

  /** Name of the gateway that should pick this run up (GET /api/agent/runs). */
  @IsOptional()
  @IsString()
  @Length(0, 128)
  targetGateway?: string;
}
