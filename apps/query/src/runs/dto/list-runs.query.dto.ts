import { ApiPropertyOptional } from '@nestjs/swagger';
import { JOB_TYPES, RUN_STATUSES } from '@runstream/events';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { MAX_PAGE } from '../../validation/bounds';
import { QueryInteger } from '@runstream/http';
import { IsBoundedTimestamp } from '../../validation/decorators';

/**
 * true/false in any case (Python's requests sends a bool as `True`/`False`) or 1/0; anything
 * else stays a string and fails @IsBoolean with a 400 naming the parameter.
 */
export function toBoolean({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') return value;
  const word = value.toLowerCase();
  if (word === 'true' || word === '1') return true;
  if (word === 'false' || word === '0') return false;
  return value;
}

/** GET /api/v1/projects/:id/runs (docs/read-api.md). */
export class ListRunsQueryDto {
  /** Any depth: a page past the last answers an empty list (MAX_PAGE only keeps the offset exact). */
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @QueryInteger(1, MAX_PAGE)
  page = 1;

  /** Max 500; larger values are rejected with 400, not clamped. */
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @QueryInteger(1, 500)
  limit = 50;

  @ApiPropertyOptional({ description: 'Filter by CronJob name' })
  @IsOptional()
  @IsString()
  @Length(1, 253)
  cronjob_name?: string;

  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: JOB_TYPES })
  @IsOptional()
  @IsIn(JOB_TYPES)
  job_type?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only runs updated after this time (RFC 3339)' })
  @IsOptional()
  @IsBoundedTimestamp()
  updated_after?: string;

  @ApiPropertyOptional({ type: Boolean, default: true })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  include_stats = true;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: "Add each run's telemetry summary (rows, bytes, progress, phase…) as telemetry_summary: a runs table in one request",
  })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  include_telemetry = false;
}
