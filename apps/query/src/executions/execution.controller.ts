import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { Caller, CurrentCaller } from '@runstream/http';
import { ProjectIdParams } from '../runs/dto/project-id.params';
import { ListExecutionsQueryDto } from './dto/list-executions.query.dto';
import { ModelNameParams, ModelStatsQueryDto } from './dto/model-stats.query.dto';
import { ModelStats } from './execution.response';
import { ExecutionListSchema, ModelStatsListSchema } from './execution.schemas';
import { ExecutionListResponse, ExecutionService } from './execution.service';

@Controller('api/v1/projects/:id/model-executions')
export class ExecutionController {
  constructor(private readonly executions: ExecutionService) {}

  @Get()
  @ApiOkResponse({ type: ExecutionListSchema })
  list(@Param() { id }: ProjectIdParams, @Query() query: ListExecutionsQueryDto, @CurrentCaller() caller: Caller): Promise<ExecutionListResponse> {
    return this.executions.list(id, query, caller);
  }

  @Get('stats')
  @ApiOkResponse({ type: ModelStatsListSchema })
  stats(
    @Param() { id }: ProjectIdParams,
    @Query() query: ModelStatsQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<{ stats: ModelStats[]; total: number }> {
    return this.executions.stats(id, query, caller);
  }

  @Get('stats/:modelName')
  @ApiOkResponse({ type: ModelStatsListSchema })
  modelStats(
    @Param() { id, modelName }: ModelNameParams,
    @Query() query: ModelStatsQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<{ stats: ModelStats[]; total: number }> {
    return this.executions.stats(id, query, caller, modelName);
  }
}
