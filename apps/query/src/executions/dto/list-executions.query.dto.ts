import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { MAX_PAGE } from '../../validation/bounds';
import { IsResourceId, QueryInteger } from '@runstream/http';
import { IsBoundedTimestamp } from '../../validation/decorators';

/** GET /api/v1/projects/:id/model-executions */
export class ListExecutionsQueryDto {
  /** Any depth: a page past the last answers an empty list (MAX_PAGE only keeps the offset exact). */
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @QueryInteger(1, MAX_PAGE)
  page: number = 1;

  /** Max 500; larger values are rejected with 400, not clamped. */
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @QueryInteger(1, 500)
  limit: number = 100;

  @ApiPropertyOptional({ description: 'Filter to a specific model' })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  model_name?: string;

  @ApiPropertyOptional({ description: "Filter by parent job's CronJob name" })
  @IsOptional()
  @IsString()
  @Length(1, 253)
  cronjob_name?: string;

  @ApiPropertyOptional({ description: 'Only the executions of this run (an addition to the reference: a run detail page reads its own)' })
  @IsOptional()
  @IsString()
  @IsResourceId()
  job_run_id?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only executions updated after this time (RFC 3339)' })
  @IsOptional()
  @IsBoundedTimestamp()
  updated_after?: string;
}
