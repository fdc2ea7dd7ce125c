import { Controller, Get, Query, Req, UseFilters } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { classifyClickHouseFailure } from '@runstream/clickhouse';
import { Caller, CurrentCaller, EnvelopeErrorFilter } from '@runstream/http';
import { ExecutionStatsQueryDto } from './execution-stats.query.dto';
import { ExecutionStatsSchema } from './execution-stats.schemas';
import { ExecutionStatsResponse, ExecutionStatsService } from './execution-stats.service';

/** Organisation-wide execution stats (docs/read-api.md); its errors carry the answer's envelope fields too. */
@Controller('v1/executions/stats')
@UseFilters(new EnvelopeErrorFilter(classifyClickHouseFailure))
export class ExecutionStatsController {
  constructor(private readonly stats: ExecutionStatsService) {}

  @Get()
  @ApiOkResponse({ type: ExecutionStatsSchema })
  /** `requestId` is the request's id (X-Request-ID when the caller sent a sane one), as in the logs. */
  get(@Query() query: ExecutionStatsQueryDto, @CurrentCaller() caller: Caller, @Req() request: { id: string }): Promise<ExecutionStatsResponse> {
    return this.stats.stats(query, caller, request.id);
  }
}
