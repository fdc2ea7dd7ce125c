import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { QueryInteger } from '@runstream/http';

/** GET /api/v1/projects/:id/runs/daily-stats */
export class DailyStatsQueryDto {
  /** Days up to and including today (UTC); max 365, larger values are rejected. */
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 365, default: 30 })
  @IsOptional()
  @QueryInteger(1, 365)
  days: number = 30;

  @ApiPropertyOptional({ description: 'Filter by CronJob name' })
  @IsOptional()
  @IsString()
  @Length(1, 253)
  cronjob_name?: string;
}
