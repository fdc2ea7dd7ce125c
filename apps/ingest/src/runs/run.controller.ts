import { Body, Controller, HttpCode, Param, Patch, Post, UseFilters } from '@nestjs/common';
import { Caller, CurrentCaller } from '@runstream/http';
import { RetryLaterFilter } from '../errors/retry-later.filter';
import { WriteGuards } from '../http/write-guards';
import { Idempotent, IdempotentWrite } from '../idempotency/idempotency.guard';
import { CreateRunDto } from './dto/create-run.dto';
import { PatchRunDto } from './dto/patch-run.dto';
import { ReportModelExecutionsDto } from './dto/report-model-executions.dto';
import { RunIdParams } from './dto/run-id.params';
import { AcceptedExecutions, AcceptedPatch, CreatedRun, RunService } from './run.service';

@Controller('api/elt/runs')
@WriteGuards()
@UseFilters(RetryLaterFilter)
export class RunController {
  constructor(private readonly runs: RunService) {}

  @Post()
  create(@Body() dto: CreateRunDto, @CurrentCaller() caller: Caller, @Idempotent() once: IdempotentWrite): Promise<CreatedRun> {
    return once(() => this.runs.create(dto, caller));
  }

  @Patch(':id')
  @HttpCode(202)
  patch(@Param() { id }: RunIdParams, @Body() dto: PatchRunDto, @CurrentCaller() caller: Caller, @Idempotent() once: IdempotentWrite): Promise<AcceptedPatch> {
    return once(() => this.runs.patch(id, dto, caller));
  }

  @Post(':id/model-executions')
  @HttpCode(202)
  reportExecutions(
    @Param() { id }: RunIdParams,
    @Body() dto: ReportModelExecutionsDto,
    @CurrentCaller() caller: Caller,
    @Idempotent() once: IdempotentWrite,
  ): Promise<AcceptedExecutions> {
    return once(() => this.runs.reportExecutions(id, dto, caller));
  }
}
