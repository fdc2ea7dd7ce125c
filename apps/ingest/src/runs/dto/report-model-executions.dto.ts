import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_EXECUTIONS_PER_REPORT } from '@runstream/events';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';

import { IsTimestamp, IsWellFormedText } from './field-validators';
import { IsResourceId } from '@runstream/http';

/** Execution statuses accepted; `succeeded` is stored as `success`. */
export const EXECUTION_STATUSES = ['success', 'succeeded', 'failed', 'error', 'skipped', 'cancelled', 'running'] as const;

/**
 * One model execution, with the field names of the reference executions object
 * (docs/read-api.md), which is what the read API serves back. A null
 * field counts as absent, as the read API serves absent ones. Counts are whole numbers up to
 * 2^53 - 1 (the UInt64 columns hold more, JSON numbers above it are not exact).
 */
export class ModelExecutionDto {
  /** Your id for the execution; report it again with the same id to update it. Default: assigned. */
  @ApiPropertyOptional({ maxLength: 128, description: 'Your id; report it again to update the execution' })
  @IsOptional()
  @IsString()
  @IsResourceId()
  id?: string;

  @ApiProperty({ maxLength: 512 })
  @IsString()
  @Length(1, 512)
  @IsWellFormedText()
  model_name!: string;

  @ApiProperty({ enum: EXECUTION_STATUSES })
  @IsIn(EXECUTION_STATUSES)
  status!: string;

  @ApiProperty({ format: 'date-time', description: 'RFC 3339, 1900-2299' })
  @IsTimestamp()
  started_at!: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339, 1900-2299' })
  @IsOptional()
  @IsTimestamp()
  completed_at?: string;

  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  rows_processed?: number;

  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  bytes_processed?: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339, 1900-2299' })
  @IsOptional()
  @IsTimestamp()
  interval_start?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339, 1900-2299' })
  @IsOptional()
  @IsTimestamp()
  interval_end?: string;
}

/** POST /api/elt/runs/:id/model-executions: 1 to 1,000 executions, stored as one event. */
export class ReportModelExecutionsDto {
  @ApiProperty({ type: [ModelExecutionDto], minItems: 1, maxItems: MAX_EXECUTIONS_PER_REPORT })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_EXECUTIONS_PER_REPORT)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => ModelExecutionDto)
  executions!: ModelExecutionDto[];
}
