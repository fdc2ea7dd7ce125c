import { Controller, Get, Param, Query } from '@nestjs/common';
import { Caller, CurrentCaller } from '@runstream/http';
import { ListRunsQueryDto } from './dto/list-runs.query.dto';
import { ProjectIdParams } from './dto/project-id.params';
import { RunListResponse } from './run.response';
import { RunService } from './run.service';

@Controller('api/v1/projects/:id/runs')
export class RunController {
  constructor(private readonly runs: RunService) {}

  @Get()
  list(@Param() { id }: ProjectIdParams, @Query() query: ListRunsQueryDto, @CurrentCaller() caller: Caller): Promise<RunListResponse> {
    return this.runs.list(id, query, caller);
  }
}
