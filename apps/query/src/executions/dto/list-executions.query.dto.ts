import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { MAX_PAGE_OFFSET } from '../../validation/bounds';
import { IsBoundedTimestamp, QueryInteger, WithinPageWindow } from '../../validation/decorators';

/** GET /api/v1/projects/:id/model-executions */
export class ListExecutionsQueryDto {
  /** (page - 1) * limit may be at most MAX_PAGE_OFFSET; deeper reads page by updated_after. */
  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    maximum: MAX_PAGE_OFFSET + 1,
    default: 1,
    description: `(page - 1) * limit must be at most ${MAX_PAGE_OFFSET}`,
  })
  @IsOptional()
  @QueryInteger(1, MAX_PAGE_OFFSET + 1)
  @WithinPageWindow()
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

  @ApiPropertyOptional({ format: 'date-time', description: 'Only executions updated after this time (RFC 3339)' })
  @IsOptional()
  @IsBoundedTimestamp()
  updated_after?: string;
}
