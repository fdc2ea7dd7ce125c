import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, Min } from 'class-validator';

/** GET /v1/executions/stats (reference/executions-stats-api.txt): all three are required. */
export class ExecutionStatsQueryDto {
  /** Start, Unix milliseconds (inclusive). */
  @ApiProperty({ type: Number, description: 'Start timestamp (Unix milliseconds)' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  from!: number;

  /** End, Unix milliseconds (exclusive). */
  @ApiProperty({ type: Number, description: 'End timestamp (Unix milliseconds)' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  to!: number;

  @ApiProperty({ enum: ['hourly', 'daily'] })
  @IsIn(['hourly', 'daily'])
  granularity!: 'hourly' | 'daily';
}
