import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { Caller, CurrentCaller } from '@runstream/http';
import { EltRunIdParams, RunIdParams } from './dto/run-id.params';
import { JobRun } from './run.response';
import { EltRunSchema, JobRunSchema, RunLogsSchema } from './run.schemas';
import { EltRun, RunLogsResponse, RunService } from './run.service';

/** Single runs: the reference JobRun and its logs (docs/read-api.md). */
@Controller('api/v1/runs/:runId')
export class RunDetailController {
  constructor(private readonly runs: RunService) {}

  @Get()
  @ApiOkResponse({ type: JobRunSchema })
  get(@Param() { runId }: RunIdParams, @CurrentCaller() caller: Caller): Promise<JobRun> {
    return this.runs.get(runId, caller);
  }

  @Get('logs')
  @ApiOkResponse({ type: RunLogsSchema })
  logs(@Param() { runId }: RunIdParams, @CurrentCaller() caller: Caller): Promise<RunLogsResponse> {
    return this.runs.logs(runId, caller);
  }
}

/** The write API's run, read back (docs/write-api.md). */
@Controller('api/elt/runs/:id')
export class EltRunController {
  constructor(private readonly runs: RunService) {}

  @Get()
  @ApiOkResponse({ type: EltRunSchema })
  get(@Param() { id }: EltRunIdParams, @CurrentCaller() caller: Caller): Promise<EltRun> {
    return this.runs.eltRun(id, caller);
  }
}
