import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsResourceId, QueryInteger } from '@runstream/http';
import { IsIn, IsOptional, Length } from 'class-validator';
import { LIVE_JOB_STATUSES, LiveJobStatus } from '../kubernetes/live-jobs';

export const MAX_LIVE_JOBS = 500;
export const MAX_LOG_TAIL = 5000;

/** GET /api/v1/jobs (docs/jobs.md). */
export class ListLiveJobsQueryDto {
  @ApiPropertyOptional({ enum: LIVE_JOB_STATUSES })
  @IsOptional()
  @IsIn(LIVE_JOB_STATUSES)
  status?: LiveJobStatus;

  /** The project id. */
  @ApiPropertyOptional({ description: 'Filter by project' })
  @IsOptional()
  @Length(1, 128)
  project?: string;

  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: MAX_LIVE_JOBS, default: 50 })
  @IsOptional()
  @QueryInteger(1, MAX_LIVE_JOBS)
  limit = 50;
}

/** An execution's name: a Kubernetes Job name, or a local run's job_name. */
export class LiveJobParams {
  @ApiProperty({ description: 'Execution (Kubernetes Job) name' })
  @IsResourceId(253)
  id!: string;
}

export class LiveJobLogsQueryDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: MAX_LOG_TAIL, default: 100 })
  @IsOptional()
  @QueryInteger(1, MAX_LOG_TAIL)
  tail = 100;
}
