import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsRFC3339, IsString, Length, Max, Min } from 'class-validator';

/** GET /api/v1/projects/:id/model-executions */
export class ListExecutionsQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page: number = 1;

  /** Max 500; larger values are rejected with 400, not clamped. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;

  @IsOptional()
  @IsString()
  @Length(1, 512)
  model_name?: string;

  @IsOptional()
  @IsString()
  @Length(1, 253)
  cronjob_name?: string;

  @IsOptional()
  @IsRFC3339()
  updated_after?: string;
}
