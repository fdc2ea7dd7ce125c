import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS } from '../validation/bounds';
import { QueryInteger } from '@runstream/http';

const UNIX_MS_RANGE = 'Unix milliseconds from 1970-01-01T00:00:00Z to 2299-12-31T23:59:59.999Z';

/** GET /v1/executions/stats (docs/read-api.md): all three are required. */
export class ExecutionStatsQueryDto {
  /** Start, Unix milliseconds (inclusive). */
  @ApiProperty({ type: Number, minimum: MIN_TIMESTAMP_MS, maximum: MAX_TIMESTAMP_MS, description: 'Start timestamp (Unix milliseconds, inclusive)' })
  @QueryInteger(MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS, UNIX_MS_RANGE)
  from!: number;

  /** End, Unix milliseconds (exclusive). */
  @ApiProperty({ type: Number, minimum: MIN_TIMESTAMP_MS, maximum: MAX_TIMESTAMP_MS, description: 'End timestamp (Unix milliseconds, exclusive)' })
  @QueryInteger(MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS, UNIX_MS_RANGE)
  to!: number;

  @ApiProperty({ enum: ['hourly', 'daily'] })
  @IsIn(['hourly', 'daily'], { message: 'granularity must be hourly or daily' })
  granularity!: 'hourly' | 'daily';
}
