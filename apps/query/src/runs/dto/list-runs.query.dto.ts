import { JOB_TYPES, RUN_STATUSES } from '@runstream/events';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsRFC3339, IsString, Length, Max, Min } from 'class-validator';

/** 'true' / 'false' only; anything else stays a string and fails @IsBoolean. */
export function toBoolean({ value }: { value: unknown }): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** GET /api/v1/projects/:id/runs (reference/execution-metrics-api.txt). */
export class ListRunsQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page = 1;

  /** Max 500; larger values are rejected with 400, not clamped. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;

  @IsOptional()
  @IsString()
  @Length(1, 253)
  cronjob_name?: string;

  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: string;

  @IsOptional()
  @IsIn(JOB_TYPES)
  job_type?: string;

  @IsOptional()
  @IsRFC3339()
  updated_after?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  include_stats = true;
}
