import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { MAX_DATE, MIN_DATE } from '../../validation/bounds';
import { IsBoundedDate } from '../../validation/decorators';
import { ProjectIdParams } from '../../runs/dto/project-id.params';

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

/** The project id checked as on every project route (ProjectIdParams), plus the model. */
export class ModelNameParams extends ProjectIdParams {
  @ApiProperty({ description: 'Model name' })
  @Matches(/^.{1,512}$/, { message: 'modelName must be 1 to 512 characters' })
  modelName!: string;
}
