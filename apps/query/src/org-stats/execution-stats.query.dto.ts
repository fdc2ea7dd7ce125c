import { Type } from 'class-transformer';
import { IsIn, IsInt, Min } from 'class-validator';

/** GET /v1/executions/stats (reference/executions-stats-api.txt): all three are required. */
export class ExecutionStatsQueryDto {
  /** Start, Unix milliseconds (inclusive). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  from!: number;

  /** End, Unix milliseconds (exclusive). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  to!: number;

  @IsIn(['hourly', 'daily'])
  granularity!: 'hourly' | 'daily';
}
