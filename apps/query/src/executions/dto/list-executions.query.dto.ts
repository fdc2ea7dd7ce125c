import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsRFC3339, IsString, Length, Max, Min } from 'class-validator';

/** GET /api/v1/projects/:id/model-executions */
export class ListExecutionsQueryDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page: number = 1;

  /** Max 500; larger values are rejected with 400, not clamped. */
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
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
  @IsRFC3339()
  updated_after?: string;
}
