import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { MAX_DATE, MIN_DATE } from '../../validation/bounds';
import { IsBoundedDate } from '../../validation/decorators';

/** GET /api/v1/projects/:id/model-executions/stats[/:modelName]: dates inclusive, by started_at (UTC). */
export class ModelStatsQueryDto {
  @ApiPropertyOptional({ format: 'date', description: `Start of date range (inclusive), ${MIN_DATE} to ${MAX_DATE}` })
  @IsOptional()
  @IsBoundedDate()
  start_date?: string;

  @ApiPropertyOptional({ format: 'date', description: `End of date range (inclusive), ${MIN_DATE} to ${MAX_DATE}` })
  @IsOptional()
  @IsBoundedDate()
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
