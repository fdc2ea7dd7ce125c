import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { Caller, CurrentCaller } from '@runstream/http';
import { ExecutionStatsQueryDto } from './execution-stats.query.dto';
import { ExecutionStatsSchema } from './execution-stats.schemas';
import { ExecutionStatsResponse, ExecutionStatsService } from './execution-stats.service';

/** Organisation-wide execution stats (reference/executions-stats-api.txt). */
@Controller('v1/executions/stats')
export class ExecutionStatsController {
  constructor(private readonly stats: ExecutionStatsService) {}

  @Get()
  @ApiOkResponse({ type: ExecutionStatsSchema })
  get(@Query() query: ExecutionStatsQueryDto, @CurrentCaller() caller: Caller): Promise<ExecutionStatsResponse> {
    return this.stats.stats(query, caller);
  }
}
