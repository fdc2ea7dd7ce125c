import { IsOptional, Matches } from 'class-validator';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** GET /api/v1/projects/:id/model-executions/stats[/:modelName]: dates inclusive, by started_at (UTC). */
export class ModelStatsQueryDto {
  @IsOptional()
  @Matches(DATE, { message: 'start_date must be a date YYYY-MM-DD' })
  start_date?: string;

  @IsOptional()
  @Matches(DATE, { message: 'end_date must be a date YYYY-MM-DD' })
  end_date?: string;
}

export class ModelNameParams {
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { message: 'id may contain letters, digits, _ . : - only' })
  id!: string;

  @Matches(/^.{1,512}$/, { message: 'modelName must be 1 to 512 characters' })
  modelName!: string;
}
