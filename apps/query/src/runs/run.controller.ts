import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { Caller, CurrentCaller } from '@runstream/http';
import { DailyStatsQueryDto } from './dto/daily-stats.query.dto';
import { ListRunsQueryDto } from './dto/list-runs.query.dto';
import { ProjectIdParams } from './dto/project-id.params';
import { RunListResponse } from './run.response';
import { DailyStats } from './daily-stats';
import { DailyStatsListSchema, RunListSchema } from './run.schemas';
import { RunService } from './run.service';

@Controller('api/v1/projects/:id/runs')
export class RunController {
  constructor(private readonly runs: RunService) {}

  @Get()
  @ApiOkResponse({ type: RunListSchema })
  list(@Param() { id }: ProjectIdParams, @Query() query: ListRunsQueryDto, @CurrentCaller() caller: Caller): Promise<RunListResponse> {
    return this.runs.list(id, query, caller);
  }

  @Get('daily-stats')
  @ApiOkResponse({ type: DailyStatsListSchema })
  dailyStats(
    @Param() { id }: ProjectIdParams,
    @Query() query: DailyStatsQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<{ daily_stats: DailyStats[]; total_days: number }> {
    return this.runs.dailyStats(id, query, caller);
  }
}
