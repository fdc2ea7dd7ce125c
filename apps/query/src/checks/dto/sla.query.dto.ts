import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { QueryInteger } from '@runstream/http';
import { QueryDecimal } from './query-number';

/** GET /api/v1/projects/:id/sla */
export class SlaQueryDto {
  @ApiProperty({ type: Number, minimum: 0, description: 'A day breaches when its p95 run duration is above this many seconds' })
  @QueryDecimal(0, 31_536_000)
  threshold_seconds!: number;

  /** Days up to and including today (UTC), as daily-stats counts them. */
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 365, default: 7 })
  @IsOptional()
  @QueryInteger(1, 365)
  days: number = 7;

  @ApiPropertyOptional({ description: 'Only runs of this CronJob' })
  @IsOptional()
  @IsString()
  @Length(1, 253)
  cronjob_name?: string;
}
