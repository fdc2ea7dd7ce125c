import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { MAX_DATE, MIN_DATE } from '../../validation/bounds';
import { IsBoundedDate } from '../../validation/decorators';
import { QueryDecimal } from './query-number';

const date = (what: string) => ({ format: 'date', description: `${what} (inclusive, by started_at, UTC), ${MIN_DATE} to ${MAX_DATE}` });

/** GET /api/v1/projects/:id/model-executions/regressions: two windows of model-executions/stats. */
export class RegressionsQueryDto {
  @ApiProperty(date('First day of the current window'))
  @IsBoundedDate()
  current_start!: string;

  @ApiProperty(date('Last day of the current window'))
  @IsBoundedDate()
  current_end!: string;

  @ApiProperty(date('First day of the previous window'))
  @IsBoundedDate()
  previous_start!: string;

  @ApiProperty(date('Last day of the previous window'))
  @IsBoundedDate()
  previous_end!: string;

  @ApiPropertyOptional({ type: Number, minimum: 0, default: 0.2, description: 'A relative p95 change above this is a regression (0.2 = +20 %)' })
  @IsOptional()
  @QueryDecimal(0, 1_000_000)
  min_change: number = 0.2;
}
