import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** GET /api/v1/projects/:id/model-executions/stats[/:modelName]: dates inclusive, by started_at (UTC). */
export class ModelStatsQueryDto {
  @ApiPropertyOptional({ format: 'date', description: 'Start of date range (inclusive)' })
  @IsOptional()
  @Matches(DATE, { message: 'start_date must be a date YYYY-MM-DD' })
  start_date?: string;

  @ApiPropertyOptional({ format: 'date', description: 'End of date range (inclusive)' })
  @IsOptional()
  @Matches(DATE, { message: 'end_date must be a date YYYY-MM-DD' })
  end_date?: string;
}

export class ModelNameParams {
  @ApiProperty({ description: 'Project ID' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { message: 'id may contain letters, digits, _ . : - only' })
  id!: string;

  @ApiProperty({ description: 'Model name' })
  @Matches(/^.{1,512}$/, { message: 'modelName must be 1 to 512 characters' })
  modelName!: string;
}
